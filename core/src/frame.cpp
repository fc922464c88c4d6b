#include <mpitray/core/frame.hpp>

#include <mpitray/core/standard_types.hpp>

#include <fmt/format.h>

#include <set>

namespace mpitray {

Frame::Frame(const Frame& other)
    : origin(other.origin),
      stop_(other.stop_),
      objects_(std::make_shared<ObjectTable>(*other.objects_)),
      context_(other.context_),
      encoded_(other.encoded_) {}

Frame& Frame::operator=(const Frame& other) {
    if (this != &other) *this = Frame(other);
    return *this;
}

const std::vector<MixedFrame>& Frame::context() const noexcept {
    static const std::vector<MixedFrame> none;
    return context_ ? *context_ : none;
}

void Frame::put_object(const std::string& key, std::shared_ptr<const Object> object) {
    if (key.empty()) throw SerializationError("cannot put an object with an empty key into " + describe());
    if (has_own(key))
        throw SerializationError(
            fmt::format("key '{}' is already in {}; objects are immutable, erase the key first "
                        "to replace it",
                        key, describe()));
    objects_->emplace(key, std::move(object));
    encoded_ = {};
}

bool Frame::erase(const std::string& key) {
    bool erased = objects_->erase(key) != 0;
    if (erased) encoded_ = {};
    return erased;
}

const Object* Frame::find(const std::string& key) const {
    if (auto it = objects_->find(key); it != objects_->end()) return it->second.get();
    for (const MixedFrame& mixed : context())
        if (auto it = mixed.objects->find(key); it != mixed.objects->end()) return it->second.get();
    return nullptr;
}

std::shared_ptr<const Object> Frame::find_shared(const std::string& key) const {
    if (auto it = objects_->find(key); it != objects_->end()) return it->second;
    for (const MixedFrame& mixed : context())
        if (auto it = mixed.objects->find(key); it != mixed.objects->end()) return it->second;
    return nullptr;
}

Stop Frame::stop_of(const std::string& key) const {
    if (objects_->count(key)) return stop_;
    for (const MixedFrame& mixed : context())
        if (mixed.objects->count(key)) return mixed.stop;
    return stop_;
}

std::vector<std::string> Frame::keys() const {
    std::set<std::string> all;
    for (const auto& [key, object] : *objects_) all.insert(key);
    for (const MixedFrame& mixed : context())
        for (const auto& [key, object] : *mixed.objects) all.insert(key);
    return {all.begin(), all.end()};
}

std::string Frame::describe() const {
    std::string text = stop_.name() + " frame";
    if (const Object* header = find(event_header_key); header && header->type() == "EventHeader") {
        try {
            const auto h = header->value<EventHeader>();
            text += fmt::format(" (run {}, event {}", h->run, h->event);
            if (h->sub_event) text += fmt::format(", sub-event {}", h->sub_event);
            text += ")";
        } catch (const Error&) {
            // A header that does not decode must not hide the error being reported.
        }
    }
    if (origin.known()) text += fmt::format(" at input position {}", origin.position);
    return text;
}

SerializationError Frame::missing_key(const std::string& key) const {
    std::string have;
    for (const std::string& k : keys()) {
        const Object* object = find(k);
        have += fmt::format("{}{} ({}, {})", have.empty() ? "" : ", ", k, object->type(), stop_of(k).name());
    }
    return SerializationError(
        fmt::format("no key '{}' in {}; it has: {}", key, describe(), have.empty() ? "no keys" : have));
}

}  // namespace mpitray
