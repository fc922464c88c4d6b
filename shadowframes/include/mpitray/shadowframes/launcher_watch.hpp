#pragma once
// What a rank does when its launcher goes away while the run goes on.
//
// Under mpirun every rank is a client of mpirun's PMIx server. When mpirun ends before its ranks
// (a second signal within 5 s makes Open MPI 4.1's mpirun exit at once, without ending the
// job: `timeout N mpirun ...` sends two, a double Ctrl-C sends two), the PMIx library tells
// every rank it lost the connection, and Open MPI's own handler then ends the process
// (exit 195) wherever it is: rank 0 in the middle of a write left an unreadable NAME.partial.
//
// The watch handles that event before Open MPI does: on rank 0 the launcher's loss becomes a stop
// request (as SIGHUP: the launcher hung up), so rank 0 finishes what is in flight, closes its
// outputs marked 'stopped' and ends; workers go on until rank 0 tells them to end. Without a launcher neither
// MPI_Finalize nor MPI_Abort can work, so Session skips them. And since nobody is left to end
// a rank that does not end, every rank ends itself at most `bound` after the loss.
#include <chrono>

namespace mpitray::mpi {

class LauncherWatch {
public:
    // Registers the handler when the process is a PMIx client (mpirun, srun --mpi=pmix); does
    // nothing otherwise. Call once, after MPI_Init. `stop_run`: the loss requests a stop (rank 0).
    static void start(std::chrono::seconds bound, bool stop_run);
    // Whether the launcher has gone away.
    static bool lost() noexcept;
    // Whether the handler is in place: false without PMIx, or when registering failed.
    static bool active() noexcept;
};

}  // namespace mpitray::mpi
