#pragma once
// SIGINT and SIGTERM ask for a clean stop: the tray stops taking input, finishes every module
// and closes its files. A second signal, a second or more after the first, ends the process at
// once (exit code 128 + signal); signals closer together count as one, since launchers such as
// mpirun pass a stop on and then send it again while ending the job.
#include <atomic>

namespace mpitray {

class StopSignal {
public:
    // Installs the handlers for SIGINT and SIGTERM. Idempotent.
    static void install();
    // For MPI worker ranks: SIGINT and SIGTERM are ignored; rank 0 coordinates the stop, and a
    // launcher that must end the job uses SIGKILL.
    static void ignore();
    // The signal that asked for a stop, or 0.
    static int received() noexcept;
    // For tests and for a dispatcher that was told by another rank to stop.
    static void request(int signal) noexcept;
    static void reset() noexcept;
};

}  // namespace mpitray
