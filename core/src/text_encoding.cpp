#include "text_encoding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace mpitray {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// UTF-16 and UTF-32 by their byte order mark, or, as YAML detects them without one, by the NUL
// bytes of the first character (YAML text starts with an ASCII character).
std::string wide_encoding(std::string_view text) {
    using namespace std::string_view_literals;
    if (starts_with(text, "\x00\x00\xFE\xFF"sv)) return "UTF-32 (big-endian, with a byte order mark)";
    if (starts_with(text, "\xFF\xFE\x00\x00"sv)) return "UTF-32 (little-endian, with a byte order mark)";
    if (starts_with(text, "\xFE\xFF"sv)) return "UTF-16 (big-endian, with a byte order mark)";
    if (starts_with(text, "\xFF\xFE"sv)) return "UTF-16 (little-endian, with a byte order mark)";
    if (text.size() >= 4 && text.substr(0, 3) == "\x00\x00\x00"sv) return "UTF-32 (big-endian)";
    if (text.size() >= 4 && text.substr(1, 3) == "\x00\x00\x00"sv) return "UTF-32 (little-endian)";
    if (text.size() >= 2 && text[0] == '\0') return "UTF-16 (big-endian)";
    if (text.size() >= 2 && text[1] == '\0') return "UTF-16 (little-endian)";
    return {};
}

// The length of the UTF-8 sequence at `at`, or 0 if it is not valid UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included).
std::size_t utf8_sequence(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return i < text.size() ? std::uint8_t(text[i]) : std::uint8_t(0); };
    const std::uint8_t first = byte(at);
    if (first < 0x80) return 1;
    std::size_t length = 0;
    std::uint8_t low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (first >= 0xC2 && first <= 0xDF) length = 2;
    else if (first == 0xE0) length = 3, low = 0xA0;
    else if (first == 0xED) length = 3, high = 0x9F;
    else if (first >= 0xE1 && first <= 0xEF) length = 3;
    else if (first == 0xF0) length = 4, low = 0x90;
    else if (first == 0xF4) length = 4, high = 0x8F;
    else if (first >= 0xF1 && first <= 0xF3) length = 4;
    else return 0;
    if (byte(at + 1) < low || byte(at + 1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
    return length;
}

int line_at(std::string_view text, std::size_t at) {
    return 1 + int(std::count(text.begin(), text.begin() + long(at), '\n'));
}

}  // namespace

EncodingProblem utf8_text_problem(std::string_view text) {
    if (std::string wide = wide_encoding(text); !wide.empty()) return {0, "is " + wide};
    for (std::size_t at = 0; at < text.size();) {
        if (text[at] == '\0') return {line_at(text, at), "has a NUL byte"};
        const std::size_t length = utf8_sequence(text, at);
        if (length == 0)
            return {line_at(text, at),
                    fmt::format("has byte 0x{:02x}, which UTF-8 does not allow there", std::uint8_t(text[at]))};
        at += length;
    }
    return {};
}

}  // namespace mpitray
