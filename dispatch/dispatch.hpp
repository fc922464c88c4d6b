#pragma once
// The Dispatch module (docs/user-guide.md, "Running on many ranks"; docs/protocol.md): sits in the serial tray on rank 0,
// sends packets to workers and metadata frames to all of them, and pushes the results downstream
// in input order. With one rank, its inner section runs in this process through the same path.
#include <mpitray/core/module.hpp>
#include <mpitray/core/stop_set.hpp>
#include <mpitray/dispatch/dispatch_context.hpp>
#include <mpitray/dispatch/dispatch_metrics.hpp>
#include <mpitray/dispatch/stage_plan.hpp>
#include <mpitray/dispatch/worker_channel.hpp>
#include <mpitray/dispatch/worker_report.hpp>
#include <mpitray/receiver/packet_feeder.hpp>
#include <mpitray/shadowframes/reorder_buffer.hpp>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace mpitray {

class Progress;
namespace io {
class FrameFileWriter;  // the failure log; defined in io, which brings HDF5
}

class Dispatch : public Module {
public:
    Dispatch();
    ~Dispatch() override;

    // What a pipeline entry asks of the job's ranks (its `workers` and `weight`).
    static StageRequest stage_request(const ModuleSpec& spec);

    bool accepts_inner() const override { return true; }
    void set_inner(std::vector<ModuleSpec> inner) override { inner_ = std::move(inner); }
    // The failure log; the inner section's modules are asked for their own files.
    std::vector<FileUse> files() const override;
    void configure() override;
    void process(const FramePtr& frame) override;
    void finish() override;
    // Writes the open packet and what is in flight: results a serial run would have written.
    void drain_before_failure() override;
    void close_after_failure() noexcept override;
    void close_outputs(const RunState& state) override;
    void abandon() noexcept override;

private:
    enum class Schedule { dynamic, round_robin };
    enum class OnError { abort, skip };

    struct Worker {
        int in_flight = 0;           // packets sent, result not yet back
        std::int64_t last_heard_ns = 0;  // its last message
        bool done = false;           // its stats message arrived
        std::vector<FramePtr> finished;  // frames its inner section pushed in Finish
    };
    struct InFlight {
        int worker = -1;             // the worker that replies
        bool metadata = false;
        std::vector<FramePtr> input;  // what was sent: unchanged frames come back as references
        std::uint64_t first_input = 0;  // input index (FrameOrigin::input) of its first frame
        std::vector<FramePtr> context;     // the metadata it was sent after (kept for the failure log)
        std::int64_t sent_ns = 0;
    };

    void send_packet();
    void broadcast_metadata(const FramePtr& frame);
    void wait_for_room();
    int pick_worker();
    bool pump(bool wait);  // handles one incoming message, or waits a little
    void handle(const Incoming& incoming);
    void on_failure(const FailureReport& report);
    void log_failure(const InFlight& input, const FailureReport& report);
    void emit_ready();
    std::vector<FramePtr> metadata_context() const;  // the latest metadata frames, in stream order
    void shut_down(Tag how, double ack_seconds);
    void check_end_watchdog(std::int64_t end_sent_ns);  // throws when a worker never ends
    void end_channel() noexcept;                        // the last sends, bounded
    void end_job_after_outputs(const std::string& why) noexcept;  // MPI_Abort once outputs are closed
    bool stopping();               // a stop signal arrived: send nothing more
    bool stop_grace_over();        // stop_grace has passed since the run's first Dispatch noticed the stop
    void check_watchdog();         // throws when a worker holding packets went silent, or died
    void on_dead_worker(int worker);  // writes what is complete before its packets, then throws
    std::string worker_name(int worker) const;
    void drop(const std::vector<FramePtr>& frames);  // input a stop left unsent
    void report();
    void limit_input_to_what_was_written();  // after a failure: input_frames of the outputs after it

    // Parameters
    Schedule schedule_ = Schedule::dynamic;
    int credits_ = 2;
    std::size_t window_ = 0;
    std::size_t window_bytes_ = 0;
    Stop packet_stop_ = Stop::daq();
    StopSet metadata_stops_;
    OnError on_error_ = OnError::abort;
    std::string failure_log_path_;
    double stop_grace_ = 0.5;
    double packet_timeout_ = 0;  // seconds; 0: no watchdog
    std::vector<ModuleSpec> inner_;

    // State
    DispatchContext* context_ = nullptr;          // handed in through the tray, or own_context_
    std::unique_ptr<DispatchContext> own_context_;
    std::unique_ptr<WorkerChannel> channel_;
    std::vector<Worker> workers_;
    ReorderBuffer reorder_;
    std::map<std::uint64_t, InFlight> in_flight_;
    std::vector<FramePtr> packet_;     // being assembled
    bool packet_has_start_ = false;    // it began with a packet-start frame
    std::vector<FramePtr> packet_metadata_;  // metadata frames inside the open packet
    int next_worker_ = 0;              // round-robin position, and the dynamic tie-breaker
    bool ended_ = false;               // end_of_stream or stop sent
    std::optional<FailureReport> failure_;
    std::optional<std::uint64_t> first_dropped_;  // input index of the first frame a stop left unsent
    std::unique_ptr<io::FrameFileWriter> failure_log_;
    std::optional<RunEnding> failure_log_closed_;  // how it was closed, once it is
    std::map<Stop, FramePtr> latest_metadata_;   // inputs, for the failure log
    std::map<Stop, const Frame*> logged_metadata_;
    std::string failures_;  // one line per skipped packet, kept in the failure log's attributes
    std::vector<WorkerReport> reports_;
    DispatchMetrics metrics_;
    double cpu_at_start_ = 0;
    bool watchdog_tripped_ = false;
    bool failing_ = false;          // close_after_failure() ran, or a stop abandoned results: no more go downstream
    std::map<std::uint64_t, std::uint64_t> waiting_first_input_;  // results in the reorder buffer: seq -> first input
    std::optional<std::uint64_t> emitting_first_input_;          // of the result being pushed downstream
    std::vector<bool> dead_;       // by worker: its process ended
    std::int64_t liveness_checked_ns_ = 0;
    double busy_average_ns_ = 0;  // exponential average of the workers' time per packet
    std::unique_ptr<Progress> progress_;
};

void register_dispatch_module();

}  // namespace mpitray
