#pragma once
// A sum of doubles that is exact, and therefore the same whatever the order of the additions and
// however the values were split between partial sums that are merged later (sums of weights
// filled on many workers and merged on rank 0). Floating-point addition is not associative:
// summing the same weights in another order, or per worker and then across workers, changes the
// last bits, and with them the output's bytes. Here no bit is lost until the sum is read.
//
// How: every finite double is an integer multiple of 2^-1074 below 2^1024, so the sum is kept
// as one integer in units of 2^-1074 (a "superaccumulator"), in 68 limbs of 32 bits held in
// 64-bit words so that carries can wait. value() rounds the exact sum to the nearest double (ties
// to even), once. Infinities and NaNs are counted apart and give what IEEE addition would.
#include <array>
#include <cstdint>
#include <vector>

namespace mpitray {

class ExactSum {
public:
    void add(double x) noexcept;
    // Adds another sum's exact value: merging in any order and grouping gives the same sum.
    void merge(const ExactSum& other) noexcept;
    // The exact sum rounded to the nearest double; +inf or -inf when it is beyond the doubles, or
    // when infinities were added (NaN when both signs were, or a NaN).
    double value() const noexcept;
    bool empty() const noexcept;

    // Equal exact sums (and the same infinities and NaNs).
    bool operator==(const ExactSum& other) const noexcept;

    // The state as integers, for frames and files: equal sums give equal states.
    std::vector<std::int64_t> state() const;
    // Throws std::invalid_argument for a state state() did not make.
    static ExactSum from_state(const std::vector<std::int64_t>& state);

private:
    static constexpr int limb_bits = 32;
    static constexpr int limb_count = 68;                   // 2176 bits: 2^-1074 up to 2^1024, and 2^78 times more
    static constexpr std::uint32_t carry_every = 1u << 30;  // additions a limb takes before a carry

    // Carries every limb's overflow into the next: limbs 0 to 66 then hold 0 to 2^32 - 1 and the
    // last one the sign.
    void normalize() noexcept;

    std::array<std::int64_t, limb_count> limbs_{};  // limb i counts units of 2^(32 i - 1074)
    std::uint32_t pending_ = 0;                     // additions since the last normalize()
    std::uint64_t nans_ = 0, positive_infinities_ = 0, negative_infinities_ = 0;
};

}  // namespace mpitray
