#pragma once
// One named value in a frame: immutable, shared between frame copies, and lazy both ways. An
// object read from bytes stays bytes until someone decodes it; an object put by a module is
// encoded only when the frame is written or sent. Each conversion happens at most once.
#include <mpitray/core/bytes.hpp>
#include <mpitray/core/type_registry.hpp>

#include <memory>
#include <optional>
#include <string>

namespace mpitray {

class Object {
public:
    // An object from a module. T must be registered.
    template <class T>
    static std::shared_ptr<const Object> from_value(std::shared_ptr<const T> value) {
        const TypeCodec& codec = TypeRegistry::instance().of<T>();
        return std::make_shared<const Object>(Made{}, codec, std::move(value));
    }

    // An object from encoded bytes, of any type name, registered here or not.
    static std::shared_ptr<const Object> from_bytes(std::string type, ByteView payload) {
        return std::make_shared<const Object>(Made{}, std::move(type), std::move(payload));
    }

    const std::string& type() const noexcept { return type_; }
    bool decoded() const noexcept { return value_ != nullptr; }
    bool encoded() const noexcept { return !payload_.empty(); }

    // Appends this object's encoding to `out` (the frame encoder writes fresh objects straight
    // into the frame's buffer), then keeps `view` of it as the object's bytes.
    void encode_into(Buffer& out) const;
    void adopt_bytes(ByteView view) const { payload_ = std::move(view); }
    // A value not encoded yet whose encoding is an element count and the elements as they lie in
    // memory (TypeCodec::element_bytes): those, for the frame encoder to copy and checksum at once.
    std::optional<TypeCodec::Elements> elements_in_memory() const {
        if (encoded() || codec_ == nullptr || !codec_->element_bytes) return std::nullopt;
        return codec_->element_bytes(value_.get());
    }

    // The payload bytes; encodes once when the object came from a module.
    const ByteView& bytes() const;
    // The payload size in bytes (encodes when needed).
    std::size_t size() const { return bytes().size(); }
    // The payload size if known without encoding (it has bytes, or its type can tell), else 0.
    std::size_t size_hint() const {
        if (!payload_.empty()) return payload_.size();
        return codec_ && codec_->encoded_size ? codec_->encoded_size(value_.get()) : 0;
    }

    // A short text of the value (decoding it), or "" when its type has none or is not registered.
    std::string summary() const;
    // Appends the value's table columns to `row` (decoding it); false when its type has no
    // columns or is not registered in this program.
    bool columns(TableRow& row) const;

    // The value as T. Throws SerializationError if this object is not a T or T's type is not
    // registered in this program.
    template <class T>
    std::shared_ptr<const T> value() const {
        const TypeCodec& codec = TypeRegistry::instance().of<T>();
        if (codec.name != type_) throw SerializationError("holds '" + type_ + "', not '" + codec.name + "'");
        return std::static_pointer_cast<const T>(decode(codec));
    }

private:
    // Only from_value and from_bytes make objects; the key lets them use make_shared (one
    // allocation for the object and its count, on every object of every frame).
    struct Made {
        explicit Made() = default;
    };

public:
    Object(Made, const TypeCodec& codec, std::shared_ptr<const void> value)
        : type_(codec.name), value_(std::move(value)), codec_(&codec) {}
    Object(Made, std::string type, ByteView payload) : type_(std::move(type)), payload_(std::move(payload)) {}

private:
    const std::shared_ptr<const void>& decode(const TypeCodec& codec) const;

    std::string type_;
    // Caches filled on first use. Frames are handled by one thread at a time, so no lock.
    mutable std::shared_ptr<const void> value_;
    mutable ByteView payload_;
    const TypeCodec* codec_ = nullptr;  // of a value from a module (the registry never drops one)
};

}  // namespace mpitray
