#include <mpitray/core/frame_codec.hpp>

#include <mpitray/core/crc32c.hpp>

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <functional>

namespace mpitray {
namespace {

static_assert(std::endian::native == std::endian::little, "the frame encoding is written for little-endian hosts");

constexpr char magic[4] = {'M', 'T', 'F', 'R'};

template <class T>
void append_int(Buffer& out, T value) {
    const auto* bytes = reinterpret_cast<const char*>(&value);
    out.insert(out.end(), bytes, bytes + sizeof value);
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
            throw SerializationError(
                fmt::format("frame encoding is cut short reading the {} at byte {} ({} bytes left, "
                            "{} needed)",
                            what, at_, bytes_.size() - at_, n));
    }
    std::span<const char> bytes_;
    std::size_t at_ = 0;
};

}  // namespace

ByteView encode_frame(const Frame& frame) {
    if (!frame.pristine_encoding().empty()) return frame.pristine_encoding();
    return append_frame(frame, std::make_shared<Buffer>());
}

std::size_t encoded_size_hint(const Frame& frame) {
    if (const ByteView& pristine = frame.pristine_encoding(); !pristine.empty()) return pristine.size();
    std::size_t size = frame_header_size + frame_trailer_size;
    for (const auto& [key, object] : frame.own())
        size += 4 + key.size() + 4 + object->type().size() + 8 + object->size_hint();
    return size;
}

ByteView append_frame(const Frame& frame, const std::shared_ptr<Buffer>& buffer, Remember remember, Gaps* gaps) {
    if (gaps != nullptr && remember != Remember::nothing)
        throw Error("append_frame: payloads are left out only when the frame keeps no views of the buffer");
    Buffer& out = *buffer;
    const std::size_t start = out.size();
    // A large payload at hand is not copied: its place is reserved, and it is listed in `gaps`.
    // One that lies in `out` itself (a payload shared by two frames of one message) is copied.
    auto left_out = [&](std::span<const char> bytes, const auto& owner) {
        if (gaps == nullptr || bytes.empty() || bytes.size() < gaps->min_bytes) return false;
        const std::less<const char*> before;
        if (!before(bytes.data(), out.data()) && before(bytes.data(), out.data() + out.capacity())) return false;
        gaps->list.push_back({out.size(), bytes, owner});
        out.resize(out.size() + bytes.size());  // uninitialized (Buffer), and not written here
        return true;
    };
    if (const ByteView& pristine = frame.pristine_encoding(); !pristine.empty()) {
        if (!left_out(pristine.span(), pristine.owner())) append_view(out, pristine);
        return ByteView(buffer, start, pristine.size());
    }

    // Objects that already have bytes are copied; fresh objects are serialized straight into the
    // buffer and keep a view of it, so each payload is encoded and copied once. The checksum is
    // taken along the way: bytes at hand (an object's, a vector's elements) are summed as they are
    // copied, in one pass (crc32c_copy); what a codec writes itself is summed after it.
    out.reserve(start + encoded_size_hint(frame));
    out.insert(out.end(), magic, magic + sizeof magic);
    append_int<std::uint16_t>(out, frame_format_version);
    out.push_back(frame.stop().code());
    out.push_back(0);
    append_int<std::uint32_t>(out, static_cast<std::uint32_t>(frame.own().size()));

    std::uint32_t crc = 0;
    std::size_t summed = start;  // the bytes before it are in `crc`
    auto sum_to_end = [&] {
        crc = crc32c(out.data() + summed, out.size() - summed, crc);
        summed = out.size();
    };
    // `source` gives the bytes' address once the buffer has grown for them: they may lie in it
    // (a payload shared by two frames of one message).
    auto copy_summed = [&](std::size_t size, const auto& source, const std::shared_ptr<const Object>& owner) {
        sum_to_end();
        if (left_out({source(), size}, owner)) {
            crc = crc32c(source(), size, crc);
        } else {
            out.resize(out.size() + size);  // uninitialized (Buffer): written by the copy
            crc = crc32c_copy(out.data() + summed, source(), size, crc);
        }
        summed = out.size();
    };
    for (const auto& [key, object] : frame.own()) {
        append_int<std::uint32_t>(out, static_cast<std::uint32_t>(key.size()));
        out.insert(out.end(), key.begin(), key.end());
        append_int<std::uint32_t>(out, static_cast<std::uint32_t>(object->type().size()));
        out.insert(out.end(), object->type().begin(), object->type().end());
        const std::size_t length_at = out.size();
        std::uint64_t length = 0;
        if (object->encoded()) {
            const ByteView& bytes = object->bytes();
            length = bytes.size();
            append_int<std::uint64_t>(out, length);
            copy_summed(
                length, [&bytes] { return bytes.data(); }, object);
            continue;
        }
        if (const auto elements = object->elements_in_memory()) {
            length = sizeof elements->count + elements->bytes.size();
            append_int<std::uint64_t>(out, length);
            append_int<std::uint64_t>(out, elements->count);
            copy_summed(
                elements->bytes.size(), [&elements] { return elements->bytes.data(); }, object);
        } else {
            append_int<std::uint64_t>(out, 0);  // patched below
            object->encode_into(out);
            length = out.size() - length_at - 8;
            std::memcpy(out.data() + length_at, &length, sizeof length);
        }
        // A view by offset, so it stays right when the buffer grows for the next object.
        if (remember == Remember::encodings) object->adopt_bytes(ByteView(buffer, length_at + 8, length));
    }
    sum_to_end();
    append_int<std::uint32_t>(out, crc);
    ByteView whole(buffer, start, out.size() - start);
    if (remember == Remember::encodings) frame.remember_encoding(whole);
    return whole;
}

std::uint32_t stored_checksum(std::span<const char> encoded) {
    std::uint32_t crc = 0;
    if (encoded.size() >= frame_trailer_size)
        std::memcpy(&crc, encoded.data() + encoded.size() - frame_trailer_size, sizeof crc);
    return crc;
}

FramePtr decode_frame(ByteView bytes, Checksum checksum) {
    const std::span<const char> all = bytes.span();
    if (all.size() < frame_header_size + frame_trailer_size)
        throw SerializationError(fmt::format("frame encoding is {} bytes, shorter than the smallest frame ({} bytes)",
                                             all.size(), frame_header_size + frame_trailer_size));
    if (std::memcmp(all.data(), magic, sizeof magic) != 0)
        throw SerializationError("not a frame encoding: the magic bytes are not \"MTFR\"");
    const std::uint32_t expected = stored_checksum(all);
    const std::uint32_t actual =
        checksum == Checksum::verify ? crc32c(all.data(), all.size() - frame_trailer_size) : expected;
    if (expected != actual)
        throw SerializationError(fmt::format(
            "frame checksum mismatch (stored {:08x}, computed {:08x}): the bytes are corrupt", expected, actual));

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
        frame->put_object(key, Object::from_bytes(std::move(type), bytes.sub(offset, length)));
    }
    if (cursor.position() != all.size() - frame_trailer_size)
        throw SerializationError(fmt::format("frame encoding has {} stray bytes after its last key",
                                             all.size() - frame_trailer_size - cursor.position()));
    frame->remember_encoding(std::move(bytes));
    return frame;
}

}  // namespace mpitray
