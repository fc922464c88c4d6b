#pragma once
// Compares two frame files frame by frame, for `mpitray diff`: the same frames in the same order,
// with the same bytes. Provenance attributes (time stamps, pipeline text) are not compared.
#include <cstdint>
#include <optional>
#include <string>

namespace mpitray::io {

struct Difference {
    std::uint64_t frame = 0;  // index of the first frame that differs
    std::string what;         // "key 'Energy' (double): payloads differ (8 and 8 bytes)"
};

struct Comparison {
    std::uint64_t frames_compared = 0;
    std::optional<Difference> difference;  // empty: identical
    std::string status_a;
    std::string status_b;
};

// Throws StorageError when a file cannot be read.
Comparison compare_frame_files(const std::string& a, const std::string& b);

}  // namespace mpitray::io
