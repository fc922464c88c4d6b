#include <mpitray/core/numbers.hpp>

#include <algorithm>
#include <limits>
#include <string>

namespace mpitray {
namespace {

struct Whole {
    bool negative = false;
    std::uint64_t magnitude = 0;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The value is digits x 10^scale, worked out in integers: a double would round.
NumberProblem read_whole(std::string_view s, Whole& out) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) out.negative = s[i++] == '-';
    std::string digits;
    long long scale = 0;
    while (i < s.size() && is_digit(s[i])) digits += s[i++];
    if (i < s.size() && s[i] == '.')
        for (++i; i < s.size() && is_digit(s[i]); --scale) digits += s[i++];
    if (digits.empty()) return NumberProblem::not_a_number;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        const std::size_t start = i;
        // Saturated far beyond any text's length: the answer is the same from there on.
        long long exponent = 0;
        for (; i < s.size() && is_digit(s[i]); ++i)
            exponent = std::min(exponent * 10 + (s[i] - '0'), 1'000'000'000'000LL);
        if (i == start) return NumberProblem::not_a_number;
        scale += negative ? -exponent : exponent;
    }
    if (i != s.size()) return NumberProblem::not_a_number;

    const std::size_t first = digits.find_first_not_of('0');
    if (first == std::string::npos) return NumberProblem::none;  // zero, however written
    digits.erase(0, first);
    while (scale < 0 && digits.back() == '0') {
        digits.pop_back();
        ++scale;
    }
    if (scale < 0) return NumberProblem::not_whole;
    if (static_cast<long long>(digits.size()) + scale > 20) return NumberProblem::out_of_range;
    constexpr std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t m = 0;
    for (const char c : digits) {
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (m > (top - d) / 10) return NumberProblem::out_of_range;
        m = m * 10 + d;
    }
    for (long long k = 0; k < scale; ++k) {
        if (m > top / 10) return NumberProblem::out_of_range;
        m *= 10;
    }
    out.magnitude = m;
    return NumberProblem::none;
}

}  // namespace

NumberProblem parse_integer(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t& out) {
    Whole whole;
    if (const NumberProblem problem = read_whole(text, whole); problem != NumberProblem::none) return problem;
    constexpr std::uint64_t limit = std::uint64_t{1} << 63;  // |INT64_MIN|
    std::int64_t value = 0;
    if (whole.negative) {
        if (whole.magnitude > limit) return NumberProblem::out_of_range;
        value = whole.magnitude == limit ? std::numeric_limits<std::int64_t>::min()
                                         : -static_cast<std::int64_t>(whole.magnitude);
    } else {
        if (whole.magnitude >= limit) return NumberProblem::out_of_range;
        value = static_cast<std::int64_t>(whole.magnitude);
    }
    if (value < min || value > max) return NumberProblem::out_of_range;
    out = value;
    return NumberProblem::none;
}

NumberProblem parse_integer(std::string_view text, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
    Whole whole;
    if (const NumberProblem problem = read_whole(text, whole); problem != NumberProblem::none) return problem;
    if (whole.negative && whole.magnitude != 0) return NumberProblem::out_of_range;
    if (whole.magnitude < min || whole.magnitude > max) return NumberProblem::out_of_range;
    out = whole.magnitude;
    return NumberProblem::none;
}

}  // namespace mpitray
