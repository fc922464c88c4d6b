#pragma once
// What the program hands to its Dispatch modules, through the tray's context (mpitray/core/context.hpp):
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
}  // namespace mpi

struct DispatchContext {
    // One Dispatch of the pipeline and the ranks it reaches its workers through.
    struct Stage {
        std::string name;                   // the Dispatch module's name
        mpi::Communicator* comm = nullptr;  // rank 0 and the stage's workers; null: in-process
        std::vector<int> world_ranks;       // the job's rank of each of comm's ranks
    };

    mpi::Communicator* comm = nullptr;  // the whole job; null, or a single rank: inner sections run in-process
    std::vector<Stage> stages;          // by tray order; empty: one stage on `comm`
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
    struct Report {
        std::string name;     // the Dispatch module's name
        std::string summary;  // printed after the usage table
        std::string metrics;  // its --metrics JSON
    };
    std::vector<Report> reports;                  // in the order the Dispatch modules ended; one each
    bool abort_job = false;                       // a worker went silent or died: the program must end the job
    std::optional<std::int64_t> stop_noticed_ns;  // when the first Dispatch noticed a stop signal

    // Every Dispatch's summary, in the order they ended.
    std::string summary() const {
        std::string all;
        for (const Report& r : reports) all += r.summary;
        return all;
    }

    const Stage* stage(const std::string& name) const {
        for (const Stage& s : stages)
            if (s.name == name) return &s;
        return nullptr;
    }
};

}  // namespace mpitray
