#pragma once
// Pipeline files must be UTF-8 text. yaml-cpp also reads UTF-16 and UTF-32, but the file's text
// is kept as provenance in every output file, as an HDF5 UTF-8 string that ends at its first NUL
// byte: a UTF-16 file would be recorded as its first few bytes. So such files are refused.
#include <string>
#include <string_view>

namespace mpitray {

struct EncodingProblem {
    int line = 0;      // 1-based; 0 for the whole text
    std::string what;  // "is UTF-16 (little-endian, with a byte order mark)", "has a NUL byte"
    explicit operator bool() const { return !what.empty(); }
};

// Why `text` is not UTF-8 without NUL bytes; empty (false) when it is. A UTF-8 byte order mark
// is fine.
EncodingProblem utf8_text_problem(std::string_view text);

}  // namespace mpitray
