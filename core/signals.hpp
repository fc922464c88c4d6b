#pragma once
// SIGINT and SIGTERM ask for a clean stop: the tray stops taking input, finishes every module
// and closes its files. A second signal ends the process at once (exit code 128 + signal).
#include <atomic>

namespace mpitray {

class StopSignal {
public:
    // Installs the handlers for SIGINT and SIGTERM. Idempotent.
    static void install();
    // The signal that asked for a stop, or 0.
    static int received() noexcept;
    // For tests and for a dispatcher that was told by another rank to stop.
    static void request(int signal) noexcept;
    static void reset() noexcept;
};

}  // namespace mpitray
