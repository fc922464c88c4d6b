#include <mpitray/core/signals.hpp>

#include <csignal>
#include <unistd.h>

namespace mpitray {
namespace {

std::atomic<int> stop_signal{0};

extern "C" void on_stop_signal(int signal) {
    int expected = 0;
    if (!stop_signal.compare_exchange_strong(expected, signal)) {
        // Second signal: the user wants out now.
        _exit(128 + signal);
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

int StopSignal::received() noexcept { return stop_signal.load(std::memory_order_relaxed); }
void StopSignal::request(int signal) noexcept { stop_signal.store(signal, std::memory_order_relaxed); }
void StopSignal::reset() noexcept { stop_signal.store(0, std::memory_order_relaxed); }

}  // namespace mpitray
