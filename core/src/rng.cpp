#include <mpitray/core/rng.hpp>

#include <cmath>
#include <numbers>

namespace mpitray {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

// Poisson for small means: multiply uniforms until the product drops below exp(-mean).
std::uint64_t poisson_small(Rng& rng, double mean) noexcept {
    const double limit = std::exp(-mean);
    std::uint64_t k = 0;
    double product = rng.uniform();
    while (product > limit) {
        ++k;
        product *= rng.uniform();
    }
    return k;
}

// Poisson for large means: transformed rejection with squeeze (Hörmann 1993, "PTRS").
std::uint64_t poisson_large(Rng& rng, double mean) noexcept {
    const double sqrt_mean = std::sqrt(mean);
    const double log_mean = std::log(mean);
    const double b = 0.931 + 2.53 * sqrt_mean;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double v_r = 0.9277 - 3.6224 / (b - 2.0);
    while (true) {
        const double u = rng.uniform() - 0.5;
        const double v = rng.uniform();
        const double us = 0.5 - std::fabs(u);
        const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= v_r) return static_cast<std::uint64_t>(k);
        if (k < 0.0 || (us < 0.013 && v > us)) continue;
        if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
            -mean + k * log_mean - std::lgamma(k + 1.0))
            return static_cast<std::uint64_t>(k);
    }
}

}  // namespace

void Rng::reseed(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& word : state_) word = splitmix64(sm);
    has_spare_ = false;
}

std::uint64_t Rng::next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

double Rng::uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::normal(double mean, double sigma) noexcept {
    if (has_spare_) {
        has_spare_ = false;
        return mean + sigma * spare_normal_;
    }
    // Box-Muller; 1 - uniform() is in (0, 1], so the log is finite.
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_normal_ = radius * std::sin(angle);
    has_spare_ = true;
    return mean + sigma * radius * std::cos(angle);
}

double Rng::exponential(double mean) noexcept { return -mean * std::log(1.0 - uniform()); }

double Rng::lognormal(double mu, double sigma) noexcept { return std::exp(normal(mu, sigma)); }

std::uint64_t Rng::poisson(double mean) noexcept {
    if (!(mean > 0.0)) return 0;
    return mean < 10.0 ? poisson_small(*this, mean) : poisson_large(*this, mean);
}

std::uint64_t Rng::mix(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t state = a ^ rotl(b, 32) ^ 0x6a09e667f3bcc909ull;
    splitmix64(state);
    state ^= b;
    return splitmix64(state);
}

std::uint64_t Rng::stream_seed(std::uint64_t global_seed, std::uint64_t position, std::uint64_t lineage,
                               std::uint64_t module_key) noexcept {
    return mix(mix(mix(global_seed, position), lineage), module_key);
}

std::uint64_t Rng::key_of(std::string_view name) noexcept {
    std::uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a
    for (unsigned char c : name) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    return hash;
}

}  // namespace mpitray
