#pragma once
// Whole numbers read exactly from text: parameters, the pipeline's seed, command-line options.
// Decimal digits with an optional sign, or float syntax (1e6, 2.0, 2.5e1) when its value is
// exactly a whole number; never hexadecimal. Nothing is clamped, rounded or wrapped: a number
// outside the range asked for is refused, where strtoull would give 2^64 - 1 and a cast through
// a double would round 1e23 to whatever fits.
#include <cstdint>
#include <string_view>

namespace mpitray {

enum class NumberProblem {
    none,
    not_a_number,  // not decimal number syntax
    not_whole,     // a number, but with a fraction: 2.5, 1e-3
    out_of_range,  // a whole number outside [min, max]
};

// Reads `text` into `out` (left alone unless the answer is none) if it is a whole number from
// `min` to `max`.
NumberProblem parse_integer(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t& out);
NumberProblem parse_integer(std::string_view text, std::uint64_t min, std::uint64_t max, std::uint64_t& out);

}  // namespace mpitray
