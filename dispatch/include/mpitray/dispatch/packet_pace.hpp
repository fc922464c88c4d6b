#pragma once
// What rank 0 learns from the workers' results about how long a packet takes, and how it paces its
// own waiting from that (docs/protocol.md, "Polling and backoff").
//
// A worker holds the packet it runs and the next one (credits). When it finishes, it starts the
// next and its result waits until rank 0 polls; only then does a new packet go out. If the packet
// it started is shorter than rank 0's pause, the worker runs dry. With costs that vary (lognormal,
// sigma 1.5, mean 10 ms: a tenth of the packets take under 0.5 ms) pauses that grew to 1 ms left
// each of 16 workers idle for 0.6% of the run. So rank 0 pauses at most half as long as a short
// packet takes: the tenth percentile of the last 128 packets' times.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace mpitray {

class PacketPace {
public:
    // A worker's time for one packet (or one message's worth, for a batch), as its result reports it.
    // Metadata frames are not packets: their answers are not observed.
    void observe(std::int64_t busy_ns);

    // Exponential average of the observed times, from 0 before the first (so it rises over the first
    // results).
    double average_ns() const noexcept { return average_ns_; }
    // The tenth percentile of the last 128 observed times; 0 before the first. Found anew when asked
    // and at least 8 times came since (rank 0 takes up to 10^5 results a second, and only asks
    // when it is about to sleep).
    double short_packet_ns() const;

    // A result is due within microseconds, spread over `workers` workers (below 250 µs apart, or
    // before any time is known), so waiting should only yield the core.
    bool result_soon(int workers) const noexcept;
    // The longest single sleep while waiting for a result: half a short packet (no limit before the
    // first result). The pause itself keeps its sleeps within 50 µs and 1 ms (mpi::Backoff).
    std::chrono::microseconds longest_sleep() const;

    static constexpr std::size_t recent_count = 128;

private:
    double average_ns_ = 0;
    std::array<double, recent_count> recent_{};  // a ring of the latest times
    std::size_t observed_ = 0;
    mutable double short_packet_ns_ = 0;  // as of `found_at_` observations
    mutable std::size_t found_at_ = 0;
};

}  // namespace mpitray
