#pragma once
// What the program's main() hands to the Dispatch module: the MPI communicator (none when not
// launched by MPI), progress and metrics settings, and where Dispatch leaves its summary for
// main() to print after the tray's. Set once by main() before the tray is built.
#include <mpitray/shadowframes/mpi.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpitray {

struct DispatchRuntime {
    mpi::Communicator* comm = nullptr;  // null, or a single rank: inner sections run in-process
    std::string host;
    bool progress = true;
    std::optional<std::uint64_t> expected_events;  // for the ETA
    std::string metrics_file;                      // --metrics FILE: JSON written at the end
    std::string summary;                           // filled by Dispatch when it finishes
    std::vector<std::string> hosts;                // by rank, when launched by MPI
    std::vector<int> pids;                         // process ids by rank, when launched by MPI
    bool abort_job = false;  // set by Dispatch when a worker went silent or died: main() must end the job
};

DispatchRuntime& dispatch_runtime();

}  // namespace mpitray
