#pragma once
// An MPI worker (ranks >= 1): the pipeline's Dispatch inner section between a Receiver and a
// Reply. Outer modules (Reader, Writer, ...) are never constructed here.
#include <mpitray/core/pipeline.hpp>
#include <mpitray/core/tray.hpp>
#include <mpitray/shadowframes/mpi.hpp>
#include <mpitray/shadowframes/worker_link.hpp>

#include <memory>
#include <vector>

namespace mpitray {

// The pipeline's Dispatch entries (its stages), in tray order.
std::vector<const ModuleSpec*> find_dispatches(const Pipeline& pipeline);

class WorkerProcess : private ResultSink {
public:
    // Builds and configures the inner tray of `dispatch`, whose rank 0 on `comm` (the job's, or
    // the stage's) is the dispatcher; `world_rank` names this rank in its report. Throws ConfigError.
    WorkerProcess(const ModuleSpec& dispatch, TrayEnvironment environment, mpi::Communicator& comm, int world_rank,
                  std::string host);
    ~WorkerProcess() override;
    // Serves the dispatcher until end_of_stream or stop, then sends its report.
    void run();
    // The run will not start (a configuration error somewhere): remove what configure() created.
    void abandon() noexcept { tray_->abandon(); }

private:
    void send(Tag tag, OutgoingMessage message) override;

    mpi::Communicator& comm_;
    int world_rank_;
    std::string host_;
    WorkerLink link_;
    std::unique_ptr<Tray> tray_;
};

}  // namespace mpitray
