#include <mpitray/io/frame_file_compare.hpp>

#include <mpitray/io/frame_file_reader.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace mpitray::io {
namespace {

// The first way two decoded frames differ, in words.
std::string explain(const Frame& a, const Frame& b) {
    if (a.stop() != b.stop()) return fmt::format("stops differ: {} and {}", a.stop().name(), b.stop().name());
    for (const auto& [key, object] : a.own())
        if (!b.has_own(key)) return fmt::format("key '{}' ({}) is only in the first file", key, object->type());
    for (const auto& [key, object] : b.own())
        if (!a.has_own(key)) return fmt::format("key '{}' ({}) is only in the second file", key, object->type());
    for (const auto& [key, object] : a.own()) {
        const Object& other = *b.own().at(key);
        if (object->type() != other.type())
            return fmt::format("key '{}' has type {} in the first file and {} in the second", key, object->type(),
                               other.type());
        const ByteView& x = object->bytes();
        const ByteView& y = other.bytes();
        if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size()) != 0)
            return fmt::format("key '{}' ({}): values differ ({} and {} bytes encoded)", key, object->type(), x.size(),
                               y.size());
    }
    return "encodings differ";  // same content, different bytes: cannot happen with one encoder
}

}  // namespace

Comparison compare_frame_files(const std::string& path_a, const std::string& path_b) {
    FrameFileReader a(path_a);
    FrameFileReader b(path_b);
    Comparison result;
    result.status_a = a.info().status;
    result.status_b = b.info().status;
    while (true) {
        const std::uint64_t index = a.position();
        auto x = a.next_encoded();
        auto y = b.next_encoded();
        if (!x && !y) break;
        if (!x || !y) {
            result.difference =
                Difference{index, fmt::format("the {} file ends here ({} frames against {})", x ? "second" : "first",
                                              std::min(a.info().frames, b.info().frames),
                                              std::max(a.info().frames, b.info().frames))};
            break;
        }
        if ((*x)->size() != (*y)->size() || std::memcmp((*x)->data(), (*y)->data(), (*x)->size()) != 0) {
            const FramePtr fa = a.decode(*x, index);
            const FramePtr fb = b.decode(*y, index);
            result.difference = Difference{index, fa->stop().name() + " frame: " + explain(*fa, *fb)};
            break;
        }
        ++result.frames_compared;
    }
    return result;
}

}  // namespace mpitray::io
