#include <mpitray/core/signals.hpp>

#include <unistd.h>
#include <csignal>
#include <cstdint>
#include <ctime>

namespace mpitray {
namespace {

std::atomic<int> stop_signal{0};
std::atomic<std::int64_t> first_signal_ns{0};

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

extern "C" void on_stop_signal(int signal) {
    const std::int64_t now = now_ns();
    std::int64_t unset = 0;
    first_signal_ns.compare_exchange_strong(unset, now);  // before the flag: a nested signal reads it
    int expected = 0;
    if (!stop_signal.compare_exchange_strong(expected, signal)) {
        // A second signal: the user wants out now, unless it is the same stop passed on twice.
        if (now - first_signal_ns.load() >= 1'000'000'000) _exit(128 + signal);
        return;
    }
    static const char message[] = "mpitray: stop requested; finishing what is in flight (signal again to exit now)\n";
    [[maybe_unused]] auto ignored = write(STDERR_FILENO, message, sizeof message - 1);
}

}  // namespace

void StopSignal::install() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

void StopSignal::ignore() {
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
}

int StopSignal::received() noexcept { return stop_signal.load(std::memory_order_relaxed); }
void StopSignal::request(int signal) noexcept { stop_signal.store(signal, std::memory_order_relaxed); }
void StopSignal::reset() noexcept {
    stop_signal.store(0, std::memory_order_relaxed);
    first_signal_ns.store(0);
}

}  // namespace mpitray
