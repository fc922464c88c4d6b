#pragma once
// Monotonic time in nanoseconds, for timing module calls, packets and waits.
#include <chrono>
#include <cstdint>

namespace mpitray {

inline std::int64_t monotonic_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace mpitray
