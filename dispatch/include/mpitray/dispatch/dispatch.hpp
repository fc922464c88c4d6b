#pragma once
// The Dispatch module (docs/user-guide.md, "Running on many ranks"; docs/protocol.md): sits in the serial tray on rank
// 0, sends packets to workers and metadata frames to all of them, and pushes the results downstream in input order.
// With one rank, its inner section runs in this process through the same path. Its parts each have one job: the
// Packetizer cuts the input, the WorkerScheduler chooses workers under credits, the InFlightTable keeps what awaits an
// answer, the ReorderBuffer puts results in order, the Watchdog spots silent workers, and the FailureLog keeps skipped
// packets. Dispatch drives them over a WorkerChannel and decides what a failure or a stop means.
#include <mpitray/core/module.hpp>
#include <mpitray/core/stop_set.hpp>
#include <mpitray/dispatch/dispatch_context.hpp>
#include <mpitray/dispatch/dispatch_metrics.hpp>
#include <mpitray/dispatch/in_flight.hpp>
#include <mpitray/dispatch/packet_pace.hpp>
#include <mpitray/dispatch/packetizer.hpp>
#include <mpitray/dispatch/stage_plan.hpp>
#include <mpitray/dispatch/watchdog.hpp>
#include <mpitray/dispatch/worker_channel.hpp>
#include <mpitray/dispatch/worker_scheduler.hpp>
#include <mpitray/receiver/packet_feeder.hpp>
#include <mpitray/shadowframes/batch.hpp>
#include <mpitray/shadowframes/reorder_buffer.hpp>
#include <mpitray/shadowframes/worker_messages.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mpitray {

class FailureLog;
class Progress;

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
    // Summary frames from before this Dispatch go on in input order, never to the workers; its
    // workers' summary frames come back merged at the end (finish_frames.hpp).
    bool sees_summary_frames() const override { return true; }
    void process(const FramePtr& frame) override;
    void finish() override;
    // Writes the open packet and what is in flight: results a serial run would have written.
    void drain_before_failure() override;
    void close_after_failure() noexcept override;
    void close_outputs(const RunState& state) override;
    void abandon() noexcept override;

private:
    enum class OnError { abort, skip };

    void send_packet(Packet packet);
    void pass_on_in_order(const FramePtr& frame);
    void broadcast_metadata(const FramePtr& frame);
    void wait_for_room();
    std::optional<int> pick_worker();  // none: a stop arrived while waiting for a credit
    bool pump(bool wait);              // handles one incoming message, or waits a little
    void handle(const Incoming& incoming);
    void handle(int worker, Tag tag, const ByteView& bytes);  // one message, alone or from a batch
    void on_result(int worker, const ByteView& bytes);
    void on_failure(const FailureReport& report);
    void emit_ready();
    void shut_down(Tag how, double ack_seconds);
    void end_channel() noexcept;                                  // the last sends, bounded
    void end_job_after_outputs(const std::string& why) noexcept;  // MPI_Abort once outputs are closed
    bool stopping();                                              // a stop signal arrived: send nothing more
    bool stop_grace_over();  // stop_grace has passed since the run's first Dispatch noticed the stop
    void check_watchdog();   // throws when a worker holding packets went silent, or died
    [[noreturn]] void trip_watchdog(const Watchdog::Silence& silence);
    void tell_workers(Tag how);  // end_of_stream or stop, to every live worker told neither yet
    // Once every packet is sent: packets waiting at busy workers go to idle ones, then the end.
    void end_game();
    struct WaitingPacket {
        int holder = 0;
        std::uint64_t seq = 0;
        std::int64_t running_since = 0;  // when the holder's oldest unit was sent
    };
    std::optional<WaitingPacket> longest_waiting() const;
    void take_back(const WaitingPacket& waiting, int to);
    [[noreturn]] void on_dead_worker(int worker);  // writes what is complete before its packets, then throws
    std::string worker_name(int worker) const;
    void drop(const std::vector<FramePtr>& frames);  // input a stop left unsent
    bool all_workers_done() const;
    void report();
    void limit_input_to_what_was_written();  // after a failure: input_frames of the outputs after it
    // The first input whose results are not all written (none: every input seen is).
    std::optional<std::uint64_t> first_incomplete_input() const;
    // Checkpoints (core/checkpoint.hpp): the outputs after this Dispatch, and its failure log,
    // record one between results, saying that the first `input_frames` inputs are written.
    bool checkpoints_allowed() const;
    void take_checkpoint(std::uint64_t input_frames);
    std::uint64_t skipped_packets() const;  // with those of the runs this one resumes
    // A resumed run's input before its checkpoint: only its metadata frames go to the workers.
    void replay(const FramePtr& frame);

    // Parameters
    Schedule schedule_ = Schedule::dynamic;
    int credits_ = 2;
    std::size_t max_batch_ = 32;
    std::size_t window_ = 0;
    std::size_t window_bytes_ = 0;
    StopSet metadata_stops_;
    OnError on_error_ = OnError::abort;
    double stop_grace_ = 0.5;
    bool take_back_ = true;
    std::vector<ModuleSpec> inner_;

    // Its parts
    DispatchContext* context_ = nullptr;  // handed in through the tray, or own_context_
    std::unique_ptr<DispatchContext> own_context_;
    std::unique_ptr<WorkerChannel> channel_;
    std::optional<Packetizer> packetizer_;
    std::optional<WorkerScheduler> scheduler_;
    InFlightTable in_flight_;
    ReorderBuffer reorder_;
    std::optional<Watchdog> watchdog_;
    std::unique_ptr<FailureLog> failure_log_;  // on_error: skip with a failure_log

    // Batches (docs/protocol.md, "Batches"): packets for one worker that go as one message once
    // it is full, the source slows down, or anything must come after them.
    struct Batch {
        int worker = 0;
        BatchBuilder builder;  // the packets are encoded straight into it
        std::vector<std::uint64_t> seqs;
        std::size_t bytes = 0;  // of the packets' messages
        std::int64_t started_ns = 0;
    };
    std::optional<Batch> batch_;
    std::int64_t received_ns_ = 0;   // when rank 0 took in the message being handled (monotonic_ns)
    double arrival_average_ns_ = 0;  // between packets from the source (exponential average)
    std::int64_t last_packet_ns_ = 0;
    double packet_bytes_average_ = 0;  // a packet's message
    std::size_t batch_target() const;  // packets per message now
    // Whether the open batch has waited for its next packet as long as batches do.
    bool batch_overdue(std::int64_t now) const;
    void send_batch();
    // Skipped packets, by sequence number, until their turn to be written comes: only then are
    // they counted, reported and logged, so a checkpoint counts exactly the packets skipped
    // before it, and a stop or failure before their turn leaves them out as it does their input.
    struct Skipped {
        InFlight unit;  // its input only when there is a failure log
        FailureReport report;
        std::string where;  // frame, rank, host and packet, for the message
    };
    std::map<std::uint64_t, Skipped> skipped_waiting_;
    void write_skipped(const Skipped& skipped);

    // By worker
    std::vector<std::int64_t> last_heard_ns_;      // its last message
    std::vector<bool> done_;                       // its stats message arrived (or it died)
    std::vector<bool> dead_;                       // its process ended
    std::vector<bool> told_end_;                   // end_of_stream or stop was sent to it
    std::vector<std::vector<FramePtr>> finished_;  // frames its inner section pushed in Finish
    // What the inner modules counted: each result's summary frames wait here for their turn,
    // and are added to the module's sum when the result is written, so the sums always cover
    // exactly the output (a stopped run's too; never a skipped packet's).
    std::map<std::uint64_t, std::vector<FramePtr>> summaries_in_flight_;
    std::map<std::string, SummarySet> summaries_written_;
    std::vector<FramePtr> held_summaries_;  // from modules before this one, after a stop
    bool summaries_passed_on_ = false;      // one of those was: no checkpoint can come after it

    // Checkpoints and resuming
    std::int64_t checkpoint_ns_ = 0;  // between checkpoints; 0: only when a stop ends the run
    std::optional<std::int64_t> last_checkpoint_ns_;
    std::uint64_t checkpoints_taken_ = 0;  // the last one's number
    std::shared_ptr<const Checkpoint> resume_from_;
    std::uint64_t next_input_ = 0;                     // after the last input frame seen
    std::optional<std::uint64_t> last_written_input_;  // the latest input any written frame is of
    // The summary frames pushed at the end: the finished frames' (merged) plus what was written.
    std::vector<FramePtr> summaries_at_end(const std::vector<FramePtr>& finish_frames);

    // The run
    bool ended_ = false;                              // end_of_stream or stop sent
    std::optional<std::uint64_t> last_metadata_seq_;  // the last unit that is or carries a metadata frame
    std::optional<FailureReport> failure_;
    std::optional<std::uint64_t> first_dropped_;         // input index of the first frame a stop left unsent
    std::optional<std::uint64_t> emitting_first_input_;  // of the result being pushed downstream
    bool watchdog_tripped_ = false;
    bool failing_ = false;  // close_after_failure() ran, or a stop abandoned results: no more go downstream
    PacketPace pace_;       // the workers' time per packet
    std::vector<WorkerReport> reports_;
    DispatchMetrics metrics_;
    double cpu_at_start_ = 0;
    std::unique_ptr<Progress> progress_;
};

void register_dispatch_module();

}  // namespace mpitray
