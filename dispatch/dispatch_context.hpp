#pragma once
// What the program hands to its Dispatch modules, through the tray's context (core/context.hpp):
// the MPI communicator (none when not launched by MPI), the ranks' hosts and process ids,
// progress and metrics settings; and what Dispatch leaves there for the program: its summary, and
// whether the job must be ended. The program keeps it alive for as long as the tray.
#include <mpitray/core/module_spec.hpp>
#include <mpitray/core/run_state.hpp>
#include <mpitray/dispatch/worker_channel.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mpitray {

namespace mpi {
class Communicator;
}

struct DispatchContext {
    mpi::Communicator* comm = nullptr;  // null, or a single rank: inner sections run in-process
    std::string host;
    std::vector<std::string> hosts;  // by rank, when launched by MPI
    std::vector<int> pids;           // process ids by rank, when launched by MPI
    bool progress = true;
    std::optional<std::uint64_t> expected_events;  // for the ETA
    std::string metrics_file;                      // --metrics FILE: JSON written at the end

    // How a Dispatch reaches its workers, given its inner section. Unset: over MPI when the
    // communicator has more than one rank, else the inner section in this process. Tests hand
    // in scripted workers here.
    using ChannelMaker = std::function<std::unique_ptr<WorkerChannel>(const std::vector<ModuleSpec>& inner,
                                                                       const TrayEnvironment& environment)>;
    ChannelMaker make_channel;

    // Left by Dispatch for the program.
    std::string summary;     // filled when it finishes
    bool abort_job = false;  // a worker went silent or died: the program must end the job
};

}  // namespace mpitray
