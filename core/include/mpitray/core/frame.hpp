#pragma once
// A frame: a stop plus named, typed, immutable objects.
//
// Copies are shallow: a copied frame shares its objects with the original, and putting into the
// copy does not change the original. A frame also "sees" (mixes in) the keys of the latest
// frame of each metadata stop and, for a P frame, of its parent Q frame; the tray sets that
// context as the frame enters each module. Only a frame's own keys are encoded and written.
#include <mpitray/core/bytes.hpp>
#include <mpitray/core/error.hpp>
#include <mpitray/core/object.hpp>
#include <mpitray/core/stop.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mpitray {

using ObjectTable = std::map<std::string, std::shared_ptr<const Object>>;

// Where a frame came from.
//
// `position` and `lineage` key the framework RNG: `position` is the frame's place in the whole
// sample (the source's input position, unless the source reads or makes a slice of a larger
// sample and says where it starts: Module::place_in_sample), and for frames a module created,
// `lineage` is derived from the frame that was being processed when it was pushed. Both travel
// with the frame to worker ranks, so a frame draws the same numbers whichever rank runs it and
// however the sample was cut into slices.
//
// `input` is the index, in this process's input, of the source frame it came from: what output
// files count in `input_frames`. It stays in the process that read the input (not sent).
struct FrameOrigin {
    static constexpr std::uint64_t unset = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t position = unset;
    std::uint64_t lineage = 0;
    std::uint64_t input = unset;
    bool known() const noexcept { return position != unset; }
};

// Another frame's keys, as seen from this one.
struct MixedFrame {
    Stop stop;
    std::shared_ptr<const ObjectTable> objects;
};

class Frame {
public:
    explicit Frame(Stop stop) : stop_(stop), objects_(std::make_shared<ObjectTable>()) {}
    Frame(const Frame& other);
    Frame& operator=(const Frame& other);
    Frame(Frame&&) noexcept = default;
    Frame& operator=(Frame&&) noexcept = default;

    Stop stop() const noexcept { return stop_; }

    // Adds an object under `key`. A key the frame already owns is an error: objects are
    // immutable, so "replace" is an explicit erase then put. A key only mixed in from another
    // frame may be put: the frame's own object hides the other (a P frame's EventHeader hides its Q's).
    template <class T>
    void put(const std::string& key, std::shared_ptr<const T> value) {
        put_object(key, Object::from_value<T>(std::move(value)));
    }
    template <class T>
    void put(const std::string& key, T value) {
        put(key, std::shared_ptr<const T>(std::make_shared<const T>(std::move(value))));
    }
    void put_object(const std::string& key, std::shared_ptr<const Object> object);

    // Removes an own key; returns whether it was there.
    bool erase(const std::string& key);

    // The value of a visible key (own first, then mixed in). Throws SerializationError naming
    // the key, the frame and the keys with their types that do exist.
    template <class T>
    std::shared_ptr<const T> get(const std::string& key) const {
        const Object* object = find(key);
        if (object == nullptr) throw missing_key(key);
        try {
            return object->value<T>();
        } catch (const SerializationError& e) {
            throw SerializationError("key '" + key + "' in " + describe() + ": " + e.what());
        }
    }
    // Shorthand for *get<T>(key); the reference lives as long as the frame's object does.
    template <class T>
    const T& at(const std::string& key) const {
        return *get<T>(key);
    }

    bool has(const std::string& key) const { return find(key) != nullptr; }
    bool has_own(const std::string& key) const { return objects_->count(key) != 0; }
    const Object* find(const std::string& key) const;
    // The object itself, to put it into another frame under another key (no copy).
    std::shared_ptr<const Object> find_shared(const std::string& key) const;
    // The stop whose frame provides a visible key.
    Stop stop_of(const std::string& key) const;

    const ObjectTable& own() const noexcept { return *objects_; }
    std::vector<std::string> keys() const;  // own and mixed in, sorted

    // Mixing, set by the tray. One list serves every frame that sees the same context (a
    // module's mixer hands the same list to frame after frame until a metadata frame comes).
    using Context = std::shared_ptr<const std::vector<MixedFrame>>;
    void set_context(Context context) { context_ = std::move(context); }
    void set_context(std::vector<MixedFrame> context) {
        context_ = std::make_shared<const std::vector<MixedFrame>>(std::move(context));
    }
    const std::vector<MixedFrame>& context() const noexcept;
    std::shared_ptr<const ObjectTable> shared_objects() const { return objects_; }

    FrameOrigin origin;

    // The bytes this frame was decoded from or last encoded to, while the frame is unchanged
    // since; lets a frame that only passes through be written or sent without re-encoding.
    const ByteView& pristine_encoding() const noexcept { return encoded_; }
    void remember_encoding(ByteView bytes) const { encoded_ = std::move(bytes); }

    // "Q frame (run 1, event 7)" or "G frame at input position 3", for messages.
    std::string describe() const;

private:
    SerializationError missing_key(const std::string& key) const;

    Stop stop_;
    std::shared_ptr<ObjectTable> objects_;
    Context context_;           // null: none
    mutable ByteView encoded_;  // a cache: see pristine_encoding()
};

using FramePtr = std::shared_ptr<Frame>;

inline FramePtr make_frame(Stop stop) { return std::make_shared<Frame>(stop); }

}  // namespace mpitray
