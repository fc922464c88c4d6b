#include <mpitray/dispatch/packet_pace.hpp>

#include <algorithm>

namespace mpitray {

namespace {
constexpr double fast_result_gap_ns = 250e3;
constexpr std::size_t refresh_every = 8;
}  // namespace

void PacketPace::observe(std::int64_t busy_ns) {
    const double ns = std::max(1.0, double(busy_ns));
    average_ns_ = 0.9 * average_ns_ + 0.1 * ns;
    recent_[observed_ % recent_count] = ns;
    ++observed_;
}

double PacketPace::short_packet_ns() const {
    const bool first = found_at_ == 0 && observed_ > 0;
    if (first || observed_ - found_at_ >= refresh_every) {
        std::array<double, recent_count> times = recent_;
        const std::size_t held = std::min(observed_, recent_count);
        const auto tenth = times.begin() + std::ptrdiff_t(held / 10);
        std::nth_element(times.begin(), tenth, times.begin() + std::ptrdiff_t(held));
        short_packet_ns_ = *tenth;
        found_at_ = observed_;
    }
    return short_packet_ns_;
}

bool PacketPace::result_soon(int workers) const noexcept {
    return average_ns_ / double(std::max(1, workers)) < fast_result_gap_ns;
}

std::chrono::microseconds PacketPace::longest_sleep() const {
    if (observed_ == 0) return std::chrono::microseconds::max();
    return std::chrono::microseconds(std::int64_t(short_packet_ns() / 2e3));
}

}  // namespace mpitray
