#pragma once
// An MPI worker (ranks >= 1): the pipeline's Dispatch inner section between a Receiver and a
// Reply. Outer modules (Reader, Writer, ...) are never constructed here.
#include <mpitray/core/pipeline.hpp>
#include <mpitray/core/tray.hpp>
#include <mpitray/shadowframes/mpi.hpp>
#include <mpitray/shadowframes/worker_link.hpp>

#include <memory>

namespace mpitray {

// The pipeline's Dispatch entry; nullptr when it has none. ConfigError when it has several.
const ModuleSpec* find_dispatch(const Pipeline& pipeline);

class WorkerProcess : private ResultSink {
public:
    // Builds and configures the inner tray; throws ConfigError.
    WorkerProcess(const ModuleSpec& dispatch, TrayEnvironment environment, mpi::Communicator& comm, std::string host);
    ~WorkerProcess() override;
    // Serves the dispatcher until end_of_stream or stop, then sends its report.
    void run();
    // The run will not start (a configuration error somewhere): remove what configure() created.
    void abandon() noexcept { tray_->abandon(); }

private:
    void send(Tag tag, OutgoingMessage message) override;

    mpi::Communicator& comm_;
    std::string host_;
    WorkerLink link_;
    std::unique_ptr<Tray> tray_;
};

}  // namespace mpitray
