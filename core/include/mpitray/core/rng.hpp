#pragma once
// The framework RNG (docs/user-guide.md, "Random numbers and reproducible results"). The tray
// reseeds it before every module callback from the global seed, the frame's origin (input
// position and lineage) and the module's name, so a module draws the same numbers for the same
// frame however many ranks there are and whichever rank runs it.
//
// Generator: xoshiro256**, seeded through SplitMix64. The distributions are implemented here,
// not taken from <random>, whose algorithms differ between standard libraries.
#include <array>
#include <cstdint>
#include <string_view>

namespace mpitray {

class Rng {
public:
    explicit Rng(std::uint64_t seed = 0) { reseed(seed); }
    void reseed(std::uint64_t seed);

    std::uint64_t next() noexcept;
    double uniform() noexcept;  // [0, 1)
    double uniform(double low, double high) noexcept { return low + (high - low) * uniform(); }
    double normal(double mean = 0.0, double sigma = 1.0) noexcept;
    double exponential(double mean) noexcept;
    // exp(N(mu, sigma)): `mu` and `sigma` are those of the underlying normal.
    double lognormal(double mu, double sigma) noexcept;
    std::uint64_t poisson(double mean) noexcept;

    // The seed for one module callback on one frame.
    static std::uint64_t stream_seed(std::uint64_t global_seed, std::uint64_t position, std::uint64_t lineage,
                                     std::uint64_t module_key) noexcept;
    // A stable 64-bit key for a module instance name.
    static std::uint64_t key_of(std::string_view name) noexcept;
    // Mixes two 64-bit values into one (SplitMix64 finalizer over a combination).
    static std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept;

private:
    std::array<std::uint64_t, 4> state_{};
    double spare_normal_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace mpitray
