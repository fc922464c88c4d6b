#include <mpitray/core/exact_sum.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace mpitray {
namespace {

constexpr std::int64_t low_mask = 0xffffffff;
constexpr int units_exponent = -1074;  // the sum counts units of 2^-1074, the smallest subnormal

}  // namespace

void ExactSum::add(double x) noexcept {
    if (!std::isfinite(x)) {
        if (std::isnan(x)) ++nans_;
        else if (x > 0) ++positive_infinities_;
        else ++negative_infinities_;
        return;
    }
    // The double's own fields, read directly (frexp and ldexp cost more than the rest together):
    // a normal number is its 53-bit mantissa times 2^(biased exponent - 1075), that is, in units
    // of 2^-1074, the mantissa shifted left by the biased exponent - 1; a subnormal is its 52-bit
    // fraction in those units, unshifted.
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const auto biased = int((bits >> 52) & 0x7ff);
    std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
    if (biased == 0 && mantissa == 0) return;  // +0 or -0
    int shift = 0;
    if (biased != 0) {
        mantissa |= std::uint64_t{1} << 52;
        shift = biased - 1;
    }
    const int first = shift / limb_bits, bit = shift % limb_bits;
    const std::uint64_t low = mantissa << bit;                         // bits 0 to 63 of the placed value
    const std::uint64_t high = bit == 0 ? 0 : mantissa >> (64 - bit);  // bits 64 and up (at most 21)
    const std::int64_t sign = (bits >> 63) != 0 ? -1 : 1;
    limbs_[std::size_t(first)] += sign * static_cast<std::int64_t>(low & std::uint64_t(low_mask));
    limbs_[std::size_t(first + 1)] += sign * static_cast<std::int64_t>(low >> 32);
    limbs_[std::size_t(first + 2)] += sign * static_cast<std::int64_t>(high);
    if (++pending_ == carry_every) normalize();
}

void ExactSum::merge(const ExactSum& other) noexcept {
    ExactSum addend = other;
    addend.normalize();  // every limb below 2^32 in size, so one more carry-free addition is safe
    if (pending_ + 1 >= carry_every) normalize();
    for (std::size_t i = 0; i < limbs_.size(); ++i) limbs_[i] += addend.limbs_[i];
    ++pending_;
    nans_ += other.nans_;
    positive_infinities_ += other.positive_infinities_;
    negative_infinities_ += other.negative_infinities_;
}

void ExactSum::normalize() noexcept {
    for (std::size_t i = 0; i + 1 < limbs_.size(); ++i) {
        const std::int64_t carry = limbs_[i] >> limb_bits;  // floor division: C++20 shifts arithmetically
        limbs_[i] &= low_mask;
        limbs_[i + 1] += carry;
    }
    pending_ = 0;
}

double ExactSum::value() const noexcept {
    if (nans_ > 0 || (positive_infinities_ > 0 && negative_infinities_ > 0))
        return std::numeric_limits<double>::quiet_NaN();
    if (positive_infinities_ > 0) return std::numeric_limits<double>::infinity();
    if (negative_infinities_ > 0) return -std::numeric_limits<double>::infinity();
    ExactSum magnitude = *this;
    magnitude.normalize();
    const bool negative = magnitude.limbs_.back() < 0;
    if (negative) {
        for (std::int64_t& limb : magnitude.limbs_) limb = -limb;
        magnitude.normalize();
    }
    const auto& l = magnitude.limbs_;
    int h = limb_count - 1;
    while (h >= 0 && l[std::size_t(h)] == 0) --h;
    if (h < 0) return 0.0;
    double result = 0;
    if (h <= 1) {
        // Below 2^64 units: an exact integer, converted with one rounding (exact below 2^53).
        const std::uint64_t units = (std::uint64_t(l[1]) << 32) | std::uint64_t(l[0]);
        result = std::ldexp(static_cast<double>(units), units_exponent);
    } else {
        // The top 64 bits, the bits below folded into the last one ("round to odd"): converting
        // that to a double then rounds exactly as rounding the whole sum would.
        const auto top = std::uint64_t(l[std::size_t(h)]);
        const int n = std::bit_width(top);  // 1 to 32
        std::uint64_t bits = (top << (64 - n)) | (std::uint64_t(l[std::size_t(h - 1)]) << (32 - n)) |
                             (std::uint64_t(l[std::size_t(h - 2)]) >> n);
        bool sticky = (std::uint64_t(l[std::size_t(h - 2)]) & ((std::uint64_t(1) << n) - 1)) != 0;
        for (int i = 0; i < h - 2 && !sticky; ++i) sticky = l[std::size_t(i)] != 0;
        if (sticky) bits |= 1;
        result = std::ldexp(static_cast<double>(bits), limb_bits * (h - 2) + n + units_exponent);
    }
    return negative ? -result : result;
}

bool ExactSum::empty() const noexcept { return state() == ExactSum{}.state(); }

bool ExactSum::operator==(const ExactSum& other) const noexcept { return state() == other.state(); }

std::vector<std::int64_t> ExactSum::state() const {
    ExactSum normal = *this;
    normal.normalize();
    // The special counts, where the non-zero limbs start, then those limbs.
    std::vector<std::int64_t> out{std::int64_t(nans_), std::int64_t(positive_infinities_),
                                  std::int64_t(negative_infinities_)};
    std::size_t first = 0, last = normal.limbs_.size();
    while (first < last && normal.limbs_[first] == 0) ++first;
    while (last > first && normal.limbs_[last - 1] == 0) --last;
    out.push_back(std::int64_t(first));
    out.insert(out.end(), normal.limbs_.begin() + std::ptrdiff_t(first), normal.limbs_.begin() + std::ptrdiff_t(last));
    return out;
}

ExactSum ExactSum::from_state(const std::vector<std::int64_t>& state) {
    if (state.size() < 4) throw std::invalid_argument("an exact sum's state holds at least 4 numbers");
    ExactSum sum;
    if (state[0] < 0 || state[1] < 0 || state[2] < 0)
        throw std::invalid_argument("an exact sum's counts of NaNs and infinities are not negative");
    sum.nans_ = std::uint64_t(state[0]);
    sum.positive_infinities_ = std::uint64_t(state[1]);
    sum.negative_infinities_ = std::uint64_t(state[2]);
    const std::int64_t first = state[3];
    const std::size_t count = state.size() - 4;
    if (first < 0 || std::size_t(first) + count > sum.limbs_.size())
        throw std::invalid_argument("an exact sum's limbs do not fit");
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t at = std::size_t(first) + i;
        const std::int64_t limb = state[4 + i];
        if (at + 1 < sum.limbs_.size() && (limb < 0 || limb > low_mask))
            throw std::invalid_argument("an exact sum's limb is out of range");
        sum.limbs_[at] = limb;
    }
    return sum;
}

}  // namespace mpitray
