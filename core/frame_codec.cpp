#include <mpitray/core/frame_codec.hpp>

#include <mpitray/core/crc32c.hpp>

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace mpitray {
namespace {

static_assert(std::endian::native == std::endian::little, "the frame encoding is written for little-endian hosts");

constexpr char magic[4] = {'M', 'T', 'F', 'R'};

template <class T>
void put_int(char*& out, T value) {
    std::memcpy(out, &value, sizeof value);
    out += sizeof value;
}

// Reads fields from an encoded frame, checking every length against what is left.
class Cursor {
public:
    explicit Cursor(std::span<const char> bytes) : bytes_(bytes) {}

    template <class T>
    T read_int(const char* what) {
        need(sizeof(T), what);
        T value;
        std::memcpy(&value, bytes_.data() + at_, sizeof value);
        at_ += sizeof value;
        return value;
    }
    std::string read_string(const char* what) {
        auto length = read_int<std::uint32_t>(what);
        need(length, what);
        std::string text(bytes_.data() + at_, length);
        at_ += length;
        return text;
    }
    std::size_t skip(std::uint64_t length, const char* what) {
        need(length, what);
        std::size_t start = at_;
        at_ += length;
        return start;
    }
    std::size_t position() const { return at_; }

private:
    void need(std::uint64_t n, const char* what) const {
        if (n > bytes_.size() - at_)
            throw SerializationError(fmt::format("frame encoding is cut short reading the {} at byte {} ({} bytes left, "
                                                 "{} needed)",
                                                 what, at_, bytes_.size() - at_, n));
    }
    std::span<const char> bytes_;
    std::size_t at_ = 0;
};

}  // namespace

SharedBuffer encode_frame(const Frame& frame) {
    if (frame.pristine_encoding()) return frame.pristine_encoding();

    std::size_t size = frame_header_size + frame_trailer_size;
    for (const auto& [key, object] : frame.own()) size += 4 + key.size() + 4 + object->type().size() + 8 + object->size();

    auto buffer = std::make_shared<Buffer>(size);
    char* out = buffer->data();
    std::memcpy(out, magic, sizeof magic);
    out += sizeof magic;
    put_int<std::uint16_t>(out, frame_format_version);
    *out++ = frame.stop().code();
    *out++ = 0;
    put_int<std::uint32_t>(out, static_cast<std::uint32_t>(frame.own().size()));
    for (const auto& [key, object] : frame.own()) {
        put_int<std::uint32_t>(out, static_cast<std::uint32_t>(key.size()));
        std::memcpy(out, key.data(), key.size());
        out += key.size();
        put_int<std::uint32_t>(out, static_cast<std::uint32_t>(object->type().size()));
        std::memcpy(out, object->type().data(), object->type().size());
        out += object->type().size();
        const ByteView& payload = object->bytes();
        put_int<std::uint64_t>(out, payload.size());
        if (payload.size()) std::memcpy(out, payload.data(), payload.size());
        out += payload.size();
    }
    put_int<std::uint32_t>(out, crc32c(buffer->data(), size - frame_trailer_size));
    return buffer;
}

std::uint32_t stored_checksum(std::span<const char> encoded) {
    std::uint32_t crc = 0;
    if (encoded.size() >= frame_trailer_size)
        std::memcpy(&crc, encoded.data() + encoded.size() - frame_trailer_size, sizeof crc);
    return crc;
}

FramePtr decode_frame(SharedBuffer bytes, Checksum checksum) {
    const std::span<const char> all(*bytes);
    if (all.size() < frame_header_size + frame_trailer_size)
        throw SerializationError(fmt::format("frame encoding is {} bytes, shorter than the smallest frame ({} bytes)",
                                             all.size(), frame_header_size + frame_trailer_size));
    if (std::memcmp(all.data(), magic, sizeof magic) != 0)
        throw SerializationError("not a frame encoding: the magic bytes are not \"MTFR\"");
    const std::uint32_t expected = stored_checksum(all);
    const std::uint32_t actual =
        checksum == Checksum::verify ? crc32c(all.data(), all.size() - frame_trailer_size) : expected;
    if (expected != actual)
        throw SerializationError(
            fmt::format("frame checksum mismatch (stored {:08x}, computed {:08x}): the bytes are corrupt", expected, actual));

    Cursor cursor(all.first(all.size() - frame_trailer_size));
    cursor.skip(sizeof magic, "magic");
    const auto version = cursor.read_int<std::uint16_t>("format version");
    if (version != frame_format_version)
        throw SerializationError(fmt::format("frame format version {} is not supported (this build reads version {})",
                                             version, frame_format_version));
    const Stop stop(cursor.read_int<char>("stop"));
    cursor.read_int<char>("reserved byte");
    const auto count = cursor.read_int<std::uint32_t>("key count");

    auto frame = make_frame(stop);
    for (std::uint32_t i = 0; i < count; ++i) {
        std::string key = cursor.read_string("key");
        std::string type = cursor.read_string("type name");
        const auto length = cursor.read_int<std::uint64_t>("payload length");
        const std::size_t offset = cursor.skip(length, "payload");
        if (frame->has_own(key)) throw SerializationError("frame encoding has key '" + key + "' twice");
        frame->put_object(key, Object::from_bytes(std::move(type), ByteView(bytes, offset, length)));
    }
    if (cursor.position() != all.size() - frame_trailer_size)
        throw SerializationError(fmt::format("frame encoding has {} stray bytes after its last key",
                                             all.size() - frame_trailer_size - cursor.position()));
    frame->set_pristine_encoding(std::move(bytes));
    return frame;
}

}  // namespace mpitray
