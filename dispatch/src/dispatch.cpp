#include <mpitray/dispatch/dispatch.hpp>

#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/progress.hpp>
#include <mpitray/core/signals.hpp>
#include <mpitray/core/tray_builder.hpp>
#include <mpitray/dispatch/failure_log.hpp>
#include <mpitray/dispatch/finish_frames.hpp>
#include <mpitray/shadowframes/batch.hpp>
#include "loopback_channel.hpp"
#include "mpi_channel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <limits>

namespace mpitray {
namespace {

double seconds_since(std::int64_t start_ns) { return double(monotonic_ns() - start_ns) * 1e-9; }

double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// What the reorder buffer holds for a result: the message it came in, if a frame in it was made
// on the worker, and what its packet holds, if a frame in it is an input sent back by reference
// (the size of the packet's message: the input frames, whose values rank 0 keeps). Each whole: a
// filter may have left one frame of either. In a batch, a result's message is its entry's part
// of the batch's buffer, so a batch's results count that buffer once between them.
std::size_t bytes_kept_alive(const std::vector<FramePtr>& frames, const ByteView& received, std::size_t sent_bytes) {
    bool made = false;
    bool referenced = false;
    for (const FramePtr& frame : frames)
        (frame->pristine_encoding().owner() == received.owner() ? made : referenced) = true;
    return (made ? received.size() : 0) + (referenced ? sent_bytes : 0);
}

// Frames a worker made carry their place in the sample, but not their place in this run's input
// (the message does not hold it), which a later Dispatch needs to count what was written: it is
// that of the input frame at the same sample position (the frame they were made from), else the
// unit's first.
void restore_input_index(const std::vector<FramePtr>& frames, const std::vector<FramePtr>& inputs,
                         std::uint64_t first_input) {
    // Results come in input order, so the search starts where the last one matched: one pass over
    // the inputs for the whole result in the usual case.
    std::size_t at = 0;
    for (const FramePtr& frame : frames) {
        if (frame->origin.input != FrameOrigin::unset) continue;  // an input frame, sent back by reference
        frame->origin.input = first_input;
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            const std::size_t i = (at + k) % inputs.size();
            if (inputs[i]->origin.position == frame->origin.position) {
                frame->origin.input = inputs[i]->origin.input;
                at = i;
                break;
            }
        }
    }
}

bool contains_dispatch(const std::vector<ModuleSpec>& modules) {
    for (const ModuleSpec& m : modules)
        if (m.type == "Dispatch" || contains_dispatch(m.inner)) return true;
    return false;
}

// How long workers may take to acknowledge a stop after a failure; after a signal, much less,
// because the launcher follows its signal with SIGKILL.
constexpr double failure_ack_seconds = 10.0;
constexpr double signal_ack_seconds = 0.2;
// How long the last sends may take once every worker has answered the end (they have then
// received everything before it), or once the run is being cut short.
constexpr double final_flush_seconds = 5.0;

// Batches (docs/protocol.md, "Batches"): a batch holds at most this many bytes, about this much
// of a worker's time, and what the source makes in about this long, so that a batch neither
// holds back a worker nor waits long for its last packet.
constexpr std::size_t batch_bytes = 64 << 10;
constexpr double batch_work_ns = 200e3;
constexpr double batch_fill_ns = 100e3;

}  // namespace

Dispatch::Dispatch() {
    add_parameter<std::string>("schedule", "dynamic (to the worker with the fewest messages in flight) or round-robin",
                               "dynamic");
    add_parameter<std::int64_t>("credits", "messages in flight per worker (a message holds one packet, or a batch)", 2);
    add_parameter<std::int64_t>("batch",
                                "most packets in one message: small packets of short work go several at a time "
                                "(at most 64 KiB and about 0.2 ms of work); 1: one packet per message",
                                32);
    add_parameter<std::int64_t>("window",
                                "reorder buffer cap: packets and metadata frames sent but not yet written out; "
                                "0: 4096, or 4 x workers x credits + 16 if that is more",
                                0);
    add_parameter<std::int64_t>("window_bytes", "reorder buffer cap in bytes of results waiting for their turn",
                                std::int64_t{256} << 20);
    add_parameter<std::string>("packet_stop", "the stop that starts a packet; following event frames join it", "Q");
    add_parameter<std::vector<std::string>>("metadata_stops", "stops sent to every worker, in stream order",
                                            {"G", "C", "D", "S", "I"});
    add_parameter<std::string>("on_error", "abort (end the run) or skip (drop the packet, log it)", "abort");
    add_parameter<std::string>("failure_log", "frame file for the input of skipped packets (on_error: skip)", "");
    add_parameter<double>("packet_timeout",
                          "watchdog: a worker holding packets that sends nothing for this many seconds is reported "
                          "and the job ends (writing what is complete); 0: off",
                          0.0);
    add_parameter<std::int64_t>("workers",
                                "worker ranks for this Dispatch; 0: a share of the ranks no Dispatch claims, in "
                                "proportion to weight (with one Dispatch: all of them)",
                                0);
    add_parameter<double>("weight",
                          "this Dispatch's share of the unclaimed ranks, relative to the others' (workers: 0)", 1.0);
    add_parameter<double>("stop_grace",
                          "after SIGINT/SIGTERM, seconds to wait for packets in flight before abandoning them "
                          "(mpirun kills 1 s after passing a signal on; SLURM waits KillWait, 30 s by default)",
                          0.5);
    add_parameter<bool>("take_back",
                        "once every packet is sent, a packet still waiting behind a busy worker's current one goes "
                        "to an idle worker instead (workers on rank 0's host; docs/protocol.md)",
                        true);
    add_parameter<double>("checkpoint_seconds",
                          "seconds between checkpoints of the outputs after this Dispatch, from which a killed run "
                          "resumes (mpitray run --resume); 0: none but the one a stop takes",
                          10.0);
}

Dispatch::~Dispatch() = default;

void Dispatch::abandon() noexcept {
    if (failure_log_) failure_log_->discard();
    if (channel_) channel_->abandon();
}

std::vector<FileUse> Dispatch::files() const {
    const std::string log = parameter<std::string>("failure_log");
    if (log.empty()) return {};
    return {{log, FileUse::Kind::output}};
}

void Dispatch::configure() {
    const std::string schedule = parameter<std::string>("schedule");
    if (schedule == "dynamic") schedule_ = Schedule::dynamic;
    else if (schedule == "round-robin") schedule_ = Schedule::round_robin;
    else throw config_error("must be 'dynamic' or 'round-robin', not '" + schedule + "'", "schedule");
    const auto credits = parameter<std::int64_t>("credits");
    if (credits < 1 || credits > 1024) throw config_error("must be 1 to 1024", "credits");
    credits_ = int(credits);
    max_batch_ = std::size_t(parameter_within("batch", std::int64_t{1}, std::int64_t{1024}, "1: no batches"));
    const auto window = parameter<std::int64_t>("window");
    if (window < 0) throw config_error("must be 0 (automatic) or more", "window");
    const auto window_bytes = parameter<std::int64_t>("window_bytes");
    if (window_bytes < 1) throw config_error("must be 1 or more", "window_bytes");
    window_bytes_ = std::size_t(window_bytes);
    const Stop packet_stop = parse_stop(parameter<std::string>("packet_stop"));
    metadata_stops_ = StopSet(parameter<std::vector<std::string>>("metadata_stops"));
    if (metadata_stops_.contains(packet_stop)) throw config_error("is also a metadata stop", "packet_stop");
    for (Stop stop : environment().metadata_stops)
        if (!metadata_stops_.contains(stop))
            throw config_error(
                "must include " + stop.name() + ": every worker needs the tray's metadata frames to mix them in",
                "metadata_stops");
    const std::string on_error = parameter<std::string>("on_error");
    if (on_error == "abort") on_error_ = OnError::abort;
    else if (on_error == "skip") on_error_ = OnError::skip;
    else throw config_error("must be 'abort' or 'skip', not '" + on_error + "'", "on_error");
    const std::string failure_log = parameter<std::string>("failure_log");
    stop_grace_ = parameter_within("stop_grace", 0.0, limits::day_s, limits::day_note);
    take_back_ = parameter<bool>("take_back");
    watchdog_.emplace(parameter_within("packet_timeout", 0.0, limits::day_s, "0: off; at most a day"));
    checkpoint_ns_ = std::int64_t(parameter_within("checkpoint_seconds", 0.0, limits::day_s, limits::day_note) * 1e9);
    if (!failure_log.empty() && on_error_ != OnError::skip)
        throw config_error("is only written with on_error: skip", "failure_log");
    if (contains_dispatch(inner_)) throw config_error("cannot run a Dispatch inside its inner section");
    // Checked again here for the `mpitray modules` reader; the ranks were planned from them (stage_plan.hpp).
    parameter_within("workers", std::int64_t{0}, stage_limits::max_workers, "0: a share of the unclaimed ranks");
    parameter_within("weight", stage_limits::min_weight, stage_limits::max_weight);

    // Without a context (a tray a test or another program built), the inner section runs here.
    context_ = environment().context.find<DispatchContext>();
    if (context_ == nullptr) {
        own_context_ = std::make_unique<DispatchContext>();
        own_context_->progress = false;
        context_ = own_context_.get();
    }
    const DispatchContext& context = *context_;
    TrayEnvironment inner_environment = environment();
    inner_environment.run = {};
    inner_environment.resume_from = nullptr;  // the workers start afresh: a replay brings their metadata
    resume_from_ = environment().resume_from;
    if (resume_from_) {
        checkpoints_taken_ = resume_from_->number;
        // The outputs hold those packets' absence already; they say so when they close.
        if (resume_from_->skipped_packets > 0) record_skipped_packets(resume_from_->skipped_packets, failure_log);
        // What the written results carried, as the checkpoint has it; later results add to it.
        for (const FramePtr& frame : resume_from_->summaries)
            for (const ModuleSpec& spec : inner_)
                if (summary_frame_module(*frame) == spec.name) summaries_written_[spec.name].add(*frame);
    }
    // This Dispatch's ranks: its stage's, or with no stages planned, the whole job's.
    const DispatchContext::Stage* stage = context.stage(name());
    mpi::Communicator* comm = stage != nullptr ? stage->comm : context.stages.empty() ? context.comm : nullptr;
    if (context.make_channel) channel_ = context.make_channel(inner_, inner_environment);
    else if (comm != nullptr && comm->size() > 1)
        channel_ = std::make_unique<MpiChannel>(*comm, stage != nullptr ? stage->world_ranks : std::vector<int>{},
                                                context.hosts, context.pids);
    else
        channel_ =
            std::make_unique<LoopbackChannel>(build_tray(inner_, inner_environment, TrayRole::inner), context.host);
    const auto workers = std::size_t(channel_->workers());
    packetizer_.emplace(packet_stop, metadata_stops_);
    scheduler_.emplace(int(workers), schedule_, credits_);
    last_heard_ns_.assign(workers, 0);
    done_.assign(workers, false);
    dead_.assign(workers, false);
    told_end_.assign(workers, false);
    finished_.assign(workers, {});
    // A generous default: window_bytes bounds the memory anyway, and with heavy-tailed costs a
    // small window leaves workers idle behind a straggler (bench: lognormal sigma 1.5 on 8
    // workers reached 0.69 of ideal with 80 slots, 0.95 with 1000; on 16 workers 0.929 with 1024,
    // 0.946 with 4096, against 0.953 for any dispatcher that cannot foresee the costs).
    window_ = window > 0 ? std::size_t(window) : std::max<std::size_t>(4096, 4 * workers * std::size_t(credits_) + 16);
    if (!failure_log.empty()) failure_log_ = std::make_unique<FailureLog>(failure_log, environment(), metadata_stops_);
    metrics_.ranks = context.comm ? context.comm->size() : 1;
    metrics_.host = context.host;
    if (context.stages.size() > 1) metrics_.stage = name();
    cpu_at_start_ = process_cpu_seconds();
    metrics_.schedule = schedule;
    metrics_.credits = credits_;
    metrics_.window = window_;
    metrics_.window_bytes = window_bytes_;
    // With several stages the first reports progress: its packets are the source's events.
    const bool first_stage = context.stages.empty() || context.stages.front().name == name();
    progress_ = std::make_unique<Progress>(context.progress && first_stage, context.expected_events, "packets");
}

void Dispatch::process(const FramePtr& frame) {
    if (frame->stop() == Stop::summary()) {
        // Frames that no replay makes again follow: the last checkpoint is taken before them
        // (after a stop, they are held until finish() has taken its own).
        if (checkpoints_allowed() && !stopping()) take_checkpoint(first_incomplete_input().value_or(next_input_));
        return pass_on_in_order(frame);
    }
    if (resume_from_ && frame->origin.input < resume_from_->input_frames) return replay(frame);
    if (checkpoint_ns_ > 0 && checkpoints_allowed()) {
        const std::int64_t now = monotonic_ns();
        if (!last_checkpoint_ns_) last_checkpoint_ns_ = now;
        else if (now - *last_checkpoint_ns_ >= checkpoint_ns_) {
            take_checkpoint(first_incomplete_input().value_or(frame->origin.input));
            last_checkpoint_ns_ = now;
        }
    }
    if (frame->origin.input != FrameOrigin::unset) next_input_ = frame->origin.input + 1;
    Packetizer::Cut cut = packetizer_->add(frame);
    // A frame that completes no packet still ends a batch that has waited too long for its next
    // one (send_packet checks the same for the frames that do).
    if (cut.packet.empty() && batch_overdue(monotonic_ns())) {
        send_batch();
        while (pump(false)) {}
    }
    send_packet(std::move(cut.packet));
    if (cut.broadcast) broadcast_metadata(cut.broadcast);
}

bool Dispatch::stopping() { return StopSignal::received() != 0; }

bool Dispatch::checkpoints_allowed() const { return !summaries_passed_on_ && !failing_ && !failure_; }

void Dispatch::take_checkpoint(std::uint64_t input_frames) {
    // The outputs hold every result before the checkpoint this run resumed from, whatever the
    // replay has reached (a stop may come during it).
    if (resume_from_) input_frames = std::max(input_frames, resume_from_->input_frames);
    // Not in the middle of one input's results: a module before this one may have made several
    // units of one input, or a unit may hold frames of the next input, and some are written
    // already. The next checkpoint will do.
    if (last_written_input_ && *last_written_input_ >= input_frames) return;
    const std::int64_t start = monotonic_ns();
    Checkpoint checkpoint{++checkpoints_taken_, input_frames, skipped_packets(), {}};
    for (const auto& [module, sums] : summaries_written_) checkpoint.summaries.push_back(sums.frame(module));
    // The log last: a kill between leaves it a checkpoint behind, which a resume goes back to.
    checkpoint = checkpoint_after(std::move(checkpoint));
    if (failure_log_) failure_log_->checkpoint(checkpoint);
    ++metrics_.checkpoints;
    metrics_.checkpoint_wall_seconds += seconds_since(start);
}

std::uint64_t Dispatch::skipped_packets() const {
    return metrics_.skipped + (resume_from_ ? resume_from_->skipped_packets : 0);
}

void Dispatch::replay(const FramePtr& frame) {
    // The outputs hold this input's results. The workers still need its metadata frames, and
    // the modules after this one see them again (without writing or counting them).
    if (metadata_stops_.contains(frame->stop())) broadcast_metadata(frame);
    else if (frame->stop() == packetizer_->packet_stop()) progress_->done(1);
    next_input_ = frame->origin.input + 1;
}

bool Dispatch::stop_grace_over() {
    if (!stopping()) return false;
    // Counted from when the first Dispatch of the run noticed the stop: the launcher's SIGKILL
    // follows one grace after its signal, not one per stage.
    if (!context_->stop_noticed_ns) context_->stop_noticed_ns = monotonic_ns();
    return seconds_since(*context_->stop_noticed_ns) > stop_grace_;
}

void Dispatch::drop(const std::vector<FramePtr>& frames) {
    for (const FramePtr& frame : frames)
        first_dropped_ = std::min(first_dropped_.value_or(frame->origin.input), frame->origin.input);
}

void Dispatch::send_packet(Packet packet) {
    if (packet.empty()) return;
    wait_for_room();
    const std::uint64_t batches_before = metrics_.batches;
    std::int64_t now = monotonic_ns();
    // A batch waits for its next packet only briefly (the source may have slowed down), and a
    // packet it has no room for goes after it, to whichever worker comes next.
    if (batch_overdue(now)) send_batch();
    if (batch_) {
        std::size_t size = 0;
        for (const FramePtr& frame : packet.frames) size += encoded_size_hint(*frame);
        if (batch_->bytes + size > batch_bytes) send_batch();
    }
    std::optional<int> worker;
    if (!stopping()) worker = batch_ ? std::optional<int>(batch_->worker) : pick_worker();
    if (!worker) {  // a stop arrived while waiting: this packet stays unsent
        drop(packet.frames);
        return;
    }
    if (!batch_) now = monotonic_ns();  // picking a worker may have waited
    const Seq seq = reorder_.open();
    const MessageHeader header{seq, message_flags::reply, 0};
    InFlight& entry = in_flight_.add(value(seq));
    entry.worker = *worker;
    entry.sent_ns = now;
    entry.first_input = packet.frames.front()->origin.input;
    if (failure_log_) entry.context = failure_log_->context();
    // The packet's frames keep their values, not views of its message (Remember::nothing): the
    // message is freed once sent, its memory serves the next one while still in cache, and rank 0
    // holds a large payload once, not twice. An input frame that comes back unchanged and is
    // written after this module is encoded again there.
    // Alone when batches do not pay, or when the worker has nothing else to do.
    const std::size_t target = batch_target();
    std::size_t size = 0;
    const bool alone = !batch_ && (target <= 1 || scheduler_->in_flight(*worker) == 0);
    if (!packet.metadata.empty()) last_metadata_seq_ = value(seq);
    entry.alone = alone;
    if (alone) {
        OutgoingMessage message(header, packet.frames, {}, Remember::nothing);
        size = message.size();
        scheduler_->sent(*worker);
        channel_->send(*worker, Tag::packet, std::move(message));
    } else {
        if (!batch_) {
            // Its buffer is sized for the batch it will likely be, so it does not move.
            const double expected = std::min(double(batch_bytes), double(target) * packet_bytes_average_);
            batch_.emplace(Batch{*worker, BatchBuilder(std::size_t(expected * 1.25) + 1024), {}, 0, now});
            scheduler_->sent(*worker);  // the batch is one message: it takes one credit
        }
        entry.holds_credit = false;
        size = batch_->builder.add(Tag::packet, header, packet.frames, {}, Remember::nothing);
        batch_->bytes += size;
        batch_->seqs.push_back(value(seq));
    }
    entry.sent_bytes = size;
    metrics_.bytes_sent += size;
    metrics_.frames_in += packet.frames.size();
    metrics_.metadata += packet.metadata.size();
    ++metrics_.packets;
    if (last_packet_ns_ > 0) arrival_average_ns_ = 0.9 * arrival_average_ns_ + 0.1 * double(now - last_packet_ns_);
    last_packet_ns_ = now;
    packet_bytes_average_ = 0.9 * packet_bytes_average_ + 0.1 * double(size);
    // Metadata frames inside the packet go to the other workers next, after it.
    if (batch_ && (batch_->seqs.size() >= target || batch_->bytes >= batch_bytes || !packet.metadata.empty()))
        send_batch();
    metrics_.peak_in_flight = scheduler_->peak_in_flight();
    for (const FramePtr& metadata : packet.metadata) {
        for (int w = 0; w < scheduler_->workers(); ++w) {
            if (w == *worker) continue;
            OutgoingMessage copy(MessageHeader{seq, message_flags::metadata, 0}, {metadata});  // no reply
            metrics_.bytes_sent += copy.size();
            channel_->send(w, Tag::metadata, std::move(copy));
        }
        if (failure_log_) failure_log_->metadata_sent(metadata);
    }
    InFlight* sent = in_flight_.find(value(seq));  // `entry` may have moved: send_batch looks units up
    sent->input = std::move(packet.frames);        // unchanged frames come back as references to these
    // Results are looked for once a message has gone out (this packet alone, or a batch this call
    // closed). A packet that only joined the open batch leaves that to the batch: a look costs
    // about as much as a small packet's own work.
    if (alone || metrics_.batches != batches_before)
        while (pump(false)) {}
}

bool Dispatch::batch_overdue(std::int64_t now) const {
    return batch_ && double(now - batch_->started_ns) > batch_fill_ns;
}

std::size_t Dispatch::batch_target() const {
    // Until a result tells how long a packet takes, one at a time.
    if (max_batch_ <= 1 || pace_.average_ns() <= 0.0) return 1;
    double packets = double(max_batch_);
    packets = std::min(packets, batch_work_ns / pace_.average_ns());
    if (arrival_average_ns_ > 0.0) packets = std::min(packets, batch_fill_ns / arrival_average_ns_);
    if (packet_bytes_average_ > 0.0) packets = std::min(packets, double(batch_bytes) / packet_bytes_average_);
    return std::max<std::size_t>(1, std::size_t(packets));
}

void Dispatch::send_batch() {
    if (!batch_) return;
    Batch batch = std::move(*batch_);
    batch_.reset();
    const std::int64_t now = monotonic_ns();
    for (std::uint64_t seq : batch.seqs) in_flight_.find(seq)->sent_ns = now;
    in_flight_.find(batch.seqs.back())->holds_credit = true;  // its answer comes last: the batch's credit
    OutgoingMessage message = batch.builder.finish();
    metrics_.bytes_sent += message.size() - batch.bytes;  // the packets were counted
    ++metrics_.batches;
    metrics_.batched_packets += batch.seqs.size();
    channel_->send(batch.worker, Tag::batch, std::move(message));
}

// A frame the workers must not see (another module's summaries) goes downstream after the
// results of every input before it, untouched.
void Dispatch::pass_on_in_order(const FramePtr& frame) {
    send_packet(packetizer_->close());
    wait_for_room();
    if (stopping()) {  // after what is written of the input before it, at the end
        held_summaries_.push_back(frame);
        return;
    }
    reorder_.fill({reorder_.open(), {frame}, 0, true, frame->origin.input});
    summaries_passed_on_ = true;
    emit_ready();
}

void Dispatch::broadcast_metadata(const FramePtr& frame) {
    send_batch();  // the packets before it reach their worker first
    wait_for_room();
    if (stopping()) {
        drop({frame});
        return;
    }
    const Seq seq = reorder_.open();
    last_metadata_seq_ = value(seq);
    // Every worker runs it; the least busy one sends its result back.
    const int replier = scheduler_->least_busy();
    std::size_t sent_bytes = 0;
    for (int w = 0; w < scheduler_->workers(); ++w) {
        const std::uint32_t flags = message_flags::metadata | (w == replier ? message_flags::reply : 0u);
        OutgoingMessage message(MessageHeader{seq, flags, 0}, {frame});
        metrics_.bytes_sent += message.size();
        if (w == replier) sent_bytes = message.size();
        channel_->send(w, Tag::metadata, std::move(message));
    }
    ++metrics_.metadata;
    ++metrics_.frames_in;
    InFlight& entry = in_flight_.add(value(seq));
    entry.worker = replier;
    entry.metadata = true;
    entry.input = {frame};
    entry.sent_bytes = sent_bytes;
    entry.sent_ns = monotonic_ns();
    entry.first_input = frame->origin.input;
    if (failure_log_) failure_log_->metadata_sent(frame);
    while (pump(false)) {}
}

void Dispatch::wait_for_room() {
    while ((reorder_.slots() >= window_ || reorder_.bytes() >= window_bytes_) && !stopping()) pump(true);
}

std::optional<int> Dispatch::pick_worker() {
    while (true) {
        if (const std::optional<int> worker = scheduler_->pick()) return worker;
        if (stopping()) return std::nullopt;
        pump(true);
    }
}

bool Dispatch::pump(bool wait) {
    if (wait && !ended_) send_batch();  // what is waited for may be in it
    if (auto incoming = channel_->poll()) {
        received_ns_ = monotonic_ns();
        last_heard_ns_[std::size_t(incoming->worker)] = received_ns_;
        handle(*incoming);
        return true;
    }
    if (wait) {
        check_watchdog();
        // Results are due soon when the workers' time per packet, spread over the workers, is
        // short: then the pause only yields the core, since sleeping would stall the exchange.
        // Otherwise it sleeps, never so long that a worker on a short packet runs dry.
        // With no result owed (the workers' reports at the end), there is no packet to run dry on.
        const bool soon = pace_.result_soon(scheduler_->workers());
        const bool owed = !in_flight_.empty();
        channel_->idle(soon, soon || !owed ? std::chrono::microseconds::max() : pace_.longest_sleep());
    }
    return false;
}

std::string Dispatch::worker_name(int worker) const {
    const int rank = channel_->rank_of(worker);
    const auto& hosts = context_->hosts;
    return std::size_t(rank) < hosts.size() ? fmt::format("rank {} on {}", rank, hosts[std::size_t(rank)])
                                            : fmt::format("rank {}", rank);
}

void Dispatch::check_watchdog() {
    if (watchdog_tripped_) return;
    const std::int64_t now = monotonic_ns();
    if (watchdog_->liveness_due(now))
        for (int w = 0; w < scheduler_->workers(); ++w)
            if (!done_[std::size_t(w)] && channel_->worker_died(w)) on_dead_worker(w);
    if (auto silence = watchdog_->silent_holder(now, in_flight_, last_heard_ns_)) trip_watchdog(*silence);
}

void Dispatch::trip_watchdog(const Watchdog::Silence& silence) {
    watchdog_tripped_ = true;
    context_->abort_job = true;
    throw MpiError(watchdog_->describe(silence, worker_name(silence.worker)), 0);
}

// A worker's process ended (SIGKILL, the OOM killer, a crash): its packets will never come back,
// and the launcher is about to end every rank (mpirun: SIGTERM within odls_base_sigkill_timeout,
// SIGKILL as long after; srun: SIGTERM at once, SIGKILL after KillWait). Write every result
// before its oldest packet (waiting at most stop_grace for the other workers' results), then fail
// the run: the outputs are closed marked 'failed', and main() ends the job.
void Dispatch::on_dead_worker(int worker) {
    watchdog_tripped_ = true;  // no more checks while draining; stops wait only briefly for acks
    dead_[std::size_t(worker)] = true;
    done_[std::size_t(worker)] = true;  // no stats will come
    context_->abort_job = true;
    const std::vector<std::uint64_t> held = in_flight_.held_by(worker);
    // Everything before its oldest unit can still be written, when the other workers deliver.
    const std::uint64_t cut = held.empty() ? std::numeric_limits<std::uint64_t>::max() : held.front();
    const std::int64_t start = monotonic_ns();
    bool late = false;
    while (!reorder_.empty() && value(reorder_.next_to_pop()) < cut) {
        if (seconds_since(start) > stop_grace_) {
            late = true;
            break;
        }
        pump(true);
    }
    limit_input_to_what_was_written();
    const std::string packets = list_units(held);
    const int pid = channel_->worker_pid(worker);
    throw MpiError(fmt::format("{} died (process {} ended: killed, out of memory or crashed){}{}. Writing what is "
                               "complete{} and ending the job",
                               worker_name(worker), pid, held.empty() ? "" : " while holding packet",
                               held.empty() ? "" : (held.size() == 1 ? " " : "s ") + packets,
                               late ? fmt::format(" (results from the other workers still missing after stop_grace "
                                                  "{} s are not written)",
                                                  stop_grace_)
                                    : ""),
                   0);
}

void Dispatch::handle(const Incoming& incoming) {
    if (incoming.tag == Tag::result || incoming.tag == Tag::batch) metrics_.bytes_received += incoming.bytes->size();
    if (incoming.tag != Tag::batch) return handle(incoming.worker, incoming.tag, ByteView(incoming.bytes));
    for (const BatchEntry& entry : parse_batch(ByteView(incoming.bytes))) {
        if (entry.tag != Tag::result && entry.tag != Tag::failure)
            throw Error(fmt::format("rank {} sent a batch holding a {} message", channel_->rank_of(incoming.worker),
                                    tag_name(entry.tag)));
        handle(incoming.worker, entry.tag, entry.bytes);
    }
}

void Dispatch::handle(int worker, Tag tag, const ByteView& bytes) {
    if (tag == Tag::result) return on_result(worker, bytes);
    const Message message = parse_message(bytes);
    switch (tag) {
        case Tag::failure: {
            FailureReport report = parse_failure(message);
            report.on_metadata = (message.header.flags & message_flags::metadata) != 0;
            if (report.on_metadata) report.frame += " (a metadata frame)";
            on_failure(report);
            break;
        }
        case Tag::finished: finished_[std::size_t(worker)] = message.frames; break;
        case Tag::stats:
            reports_.push_back(parse_report(message));
            done_[std::size_t(worker)] = true;
            break;
        default:
            throw Error(fmt::format("rank {} sent an unexpected {} message", channel_->rank_of(worker), tag_name(tag)));
    }
}

void Dispatch::on_result(int worker, const ByteView& bytes) {
    const Seq seq = peek_header(bytes).seq;
    const InFlight* sent = in_flight_.find(value(seq));
    if (sent == nullptr)
        throw Error(fmt::format("rank {} sent a result for packet {}, which is not in flight",
                                channel_->rank_of(worker), value(seq)));
    Message message = parse_message(bytes, &sent->input);
    const InFlight unit = in_flight_.take(value(seq));
    // The summaries the inner modules filled on this unit come last (Reply).
    auto first_summary = std::find_if(message.frames.begin(), message.frames.end(),
                                      [](const FramePtr& f) { return f->stop() == Stop::summary(); });
    if (first_summary != message.frames.end()) {
        summaries_in_flight_[value(seq)].assign(first_summary, message.frames.end());
        message.frames.erase(first_summary, message.frames.end());
    }
    if (!unit.metadata && unit.holds_credit) scheduler_->answered(unit.worker);
    const double end = progress_->elapsed_at(received_ns_);  // the results of a batch end together
    metrics_.timeline.push_back(
        {value(seq), channel_->rank_of(worker), end - double(message.header.busy_ns) * 1e-9, end});
    if (!unit.metadata) pace_.observe(message.header.busy_ns);
    metrics_.frames_out += message.frames.size();
    restore_input_index(message.frames, unit.input, unit.first_input);
    const std::size_t held = bytes_kept_alive(message.frames, bytes, unit.sent_bytes);
    reorder_.fill({seq, std::move(message.frames), held, unit.metadata, unit.first_input});
    emit_ready();
}

void Dispatch::on_failure(const FailureReport& report) {
    const std::uint64_t seq = value(report.seq);
    if (failure_) {
        // The run is already ending. An earlier input that failed too is the one to report, and the
        // results before it are all that can be written: its slot will never fill.
        if (seq < value(failure_->seq)) failure_ = report;
        return;
    }
    const InFlight* unit = in_flight_.find(seq);
    const bool packet = unit != nullptr && !unit->metadata;
    // A metadata frame that fails cannot be skipped (every later packet depends on it), even
    // when it travelled inside a packet.
    // A packet that carries metadata frames cannot be skipped either: its result holds their one
    // processed copy for the output.
    bool on_metadata = report.on_metadata;
    if (packet)
        for (const FramePtr& frame : unit->input) on_metadata = on_metadata || metadata_stops_.contains(frame->stop());
    if (packet && unit->holds_credit) scheduler_->answered(unit->worker);

    const std::string where = fmt::format("{}{} on rank {} ({}), packet {}", report.frame,
                                          report.frame.empty() ? "" : ",", report.rank, report.host, seq);
    if (on_error_ == OnError::skip && packet && !on_metadata) {
        Skipped& skipped = skipped_waiting_[seq] = {in_flight_.take(seq), report, where};
        // Its input waits for the log, and counts against window_bytes as a result would.
        if (!failure_log_) skipped.unit.input.clear();
        const std::size_t held = skipped.unit.input.empty() ? 0 : skipped.unit.sent_bytes;
        reorder_.fill({report.seq, {}, held, false, skipped.unit.first_input});  // no results
        emit_ready();
        return;
    }
    // Abort: write every result before the failed input (the earliest failed input, if another
    // failure report arrives while waiting), then end the run.
    failure_ = report;
    // A stop signal bounds the wait (the launcher's SIGKILL follows): what is complete is written.
    while (value(reorder_.next_to_pop()) < value(failure_->seq)) {
        if (stop_grace_over()) break;
        pump(true);
    }
    const FailureReport& first = *failure_;
    throw ModuleError(first.module.empty() ? "Dispatch" : first.module,
                      fmt::format("{}{} on rank {} ({}), packet {}", first.frame, first.frame.empty() ? "" : ",",
                                  first.rank, first.host, value(first.seq)),
                      first.message);
}

void Dispatch::emit_ready() {
    // After a failure nothing more goes downstream: a module there may have failed on the result
    // before, and what follows must not appear after a gap.
    if (failing_) return;
    while (auto result = reorder_.pop()) {
        if (auto skipped = skipped_waiting_.find(value(result->seq)); skipped != skipped_waiting_.end()) {
            write_skipped(skipped->second);
            skipped_waiting_.erase(skipped);
            continue;
        }
        const bool replay = resume_from_ && result->first_input < resume_from_->input_frames;
        if (auto counted = summaries_in_flight_.find(value(result->seq)); counted != summaries_in_flight_.end()) {
            if (!replay)  // a replayed result was counted before the checkpoint
                for (const FramePtr& frame : counted->second)
                    summaries_written_[summary_frame_module(*frame)].add(*frame);
            summaries_in_flight_.erase(counted);
        }
        emitting_first_input_ = result->first_input;  // a failure downstream while it is pushed leaves it incomplete
        if (!replay)  // a unit may hold frames of several inputs (one that joined an open packet)
            for (const FramePtr& frame : result->frames)
                if (frame->origin.input != FrameOrigin::unset)
                    last_written_input_ = std::max(last_written_input_.value_or(0), frame->origin.input);
        if (replay)
            replayed([&] {
                for (const FramePtr& frame : result->frames) push(frame);
            });
        else
            for (const FramePtr& frame : result->frames) push(frame);
        emitting_first_input_.reset();
        if (!result->metadata) progress_->done(1);
    }
}

void Dispatch::write_skipped(const Skipped& skipped) {
    const FailureReport& report = skipped.report;
    std::fprintf(stderr, "mpitray: skipped packet %llu: module '%s' failed on %s: %s\n",
                 static_cast<unsigned long long>(value(report.seq)), report.module.c_str(), skipped.where.c_str(),
                 report.message.c_str());
    ++metrics_.skipped;
    record_skipped_packets(skipped_packets(), failure_log_ ? failure_log_->path() : std::string());
    if (failure_log_) failure_log_->write(skipped.unit, skipped.report);
    progress_->done(1);
}

void Dispatch::finish() {
    send_packet(packetizer_->close());
    send_batch();
    end_game();
    bool abandoned = false;
    while (!reorder_.empty()) {
        if (stop_grace_over()) {
            abandoned = true;  // a stop was asked for and the stragglers are late: keep what is complete
            break;
        }
        if (pump(true)) end_game();
    }
    // Input is complete up to the first input a stop abandoned or left unsent. Results that still
    // come in while the workers acknowledge the stop are not written: the count is taken.
    limit_input_to_what_was_written();
    // A stop that left no input unwritten (it came after the last input, and every result came
    // back in time) ends the run as the end of input does: the workers run their finish(), whose
    // frames and summaries (every object, filled or not) a serial run writes too.
    const bool replay_unfinished = resume_from_ && next_input_ < resume_from_->input_frames;
    const bool stopped = (stopping() && (first_incomplete_input() || replay_unfinished)) || abandoned;
    // What a stopped run wrote so far, before the summaries that end it: where a resume goes on.
    if (stopping() && checkpoints_allowed()) take_checkpoint(first_incomplete_input().value_or(next_input_));
    if (abandoned) failing_ = true;
    shut_down(stopped ? Tag::stop : Tag::end_of_stream, stopped ? signal_ack_seconds : -1.0);
    if (stopped) {
        // The sums of what was written, after the summaries of modules before this one; the inner
        // modules' finish() did not run.
        for (const FramePtr& frame : held_summaries_) push(frame);
        for (const FramePtr& frame : summaries_at_end({})) push(frame);
    } else {
        FinishFrames at_end = merge_finish_frames(finished_);
        const std::vector<FramePtr> summaries = summaries_at_end(at_end.frames);
        std::size_t next = 0;
        for (FramePtr& frame : at_end.frames)
            if (frame->stop() == Stop::summary() && !summary_frame_module(*frame).empty()) frame = summaries[next++];
        at_end.frames.insert(at_end.frames.end(), summaries.begin() + std::ptrdiff_t(next), summaries.end());
        if (at_end.unmerged > 0)
            std::fprintf(stderr,
                         "mpitray: warning: the modules inside '%s' pushed %zu frames in finish() on %zu workers: "
                         "each worker's own, not what a serial run writes; count in summaries instead (user guide, "
                         "\"Summaries\")\n",
                         name().c_str(), at_end.unmerged, finished_.size());
        for (const FramePtr& frame : at_end.frames) push(frame);
    }
    end_channel();
    progress_->finish();
    report();
}

std::vector<FramePtr> Dispatch::summaries_at_end(const std::vector<FramePtr>& finish_frames) {
    std::vector<FramePtr> out;
    // Where the inner modules' finish() put them (what they filled there, merged across workers),
    // plus what the written results carried.
    for (const FramePtr& frame : finish_frames) {
        const std::string module = summary_frame_module(*frame);
        if (module.empty()) continue;
        auto written = summaries_written_.find(module);
        if (written == summaries_written_.end()) {
            out.push_back(frame);
            continue;
        }
        out.push_back(merge_summary_frames({frame, written->second.frame(module)}));
        summaries_written_.erase(written);
    }
    // A stopped run: no finish() ran. In the inner section's order.
    for (const ModuleSpec& spec : inner_)
        if (auto written = summaries_written_.find(spec.name); written != summaries_written_.end()) {
            out.push_back(written->second.frame(spec.name));
            summaries_written_.erase(written);
        }
    for (const auto& [module, set] : summaries_written_) out.push_back(set.frame(module));
    summaries_written_.clear();
    return out;
}

void Dispatch::drain_before_failure() {
    // A module before this Dispatch failed, after everything before the failed input reached it:
    // the open packet is complete (as far as a serial run got), and so is every packet in flight.
    // They are written, as a serial run would have; waiting is bounded as in finish().
    // Bounded as finish() is: by the watchdog (packet_timeout), and by stop_grace once a stop
    // signal comes or the job is being ended (a dead or silent worker elsewhere).
    if (failing_ || ended_ || !channel_) return;
    send_packet(packetizer_->close());
    const std::int64_t start = monotonic_ns();
    while (!reorder_.empty() && !failure_) {
        if (stop_grace_over() || (context_->abort_job && seconds_since(start) > stop_grace_)) break;
        pump(true);
    }
}

void Dispatch::end_channel() noexcept {
    // The job is being ended anyway (a dead or silent worker): the outputs must close before the
    // launcher's SIGKILL, so no time goes to sends that may never complete.
    if (context_->abort_job) return;
    try {
        if (channel_->flush(stopping() ? signal_ack_seconds : final_flush_seconds)) return;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mpitray: %s\n", message_of(e));
    }
    end_job_after_outputs("messages to some workers were never taken");
}

void Dispatch::end_job_after_outputs(const std::string& why) noexcept {
    // A worker that is dead, stopped or still busy cannot take part in an orderly end of MPI
    // (MPI_Finalize would wait for it forever): the job ends once the outputs are closed.
    if (context_->abort_job) return;
    context_->abort_job = true;
    std::string late;
    for (int w = 0; w < int(done_.size()); ++w)
        if (!done_[std::size_t(w)]) late += (late.empty() ? "" : ", ") + worker_name(w);
    std::fprintf(stderr, "mpitray: %s%s%s; ending the job once the outputs are closed\n", why.c_str(),
                 late.empty() ? "" : ": not ended in order: ", late.c_str());
}

void Dispatch::close_outputs(const RunState& state) {
    if (failure_log_) failure_log_->close(state, skipped_packets());  // with those of the runs this one resumes
}

void Dispatch::limit_input_to_what_was_written() {
    if (auto incomplete = first_incomplete_input()) limit_complete_input(*incomplete);
}

std::optional<std::uint64_t> Dispatch::first_incomplete_input() const {
    // Results are written in order: everything from the oldest unit not yet written on is lost,
    // as is what was dropped or never sent.
    std::optional<std::uint64_t> incomplete = first_dropped_;
    auto lower = [&](std::uint64_t first_input) {
        incomplete = std::min(incomplete.value_or(first_input), first_input);
    };
    if (emitting_first_input_) lower(*emitting_first_input_);
    if (const InFlight* oldest = in_flight_.find(value(reorder_.next_to_pop()))) lower(oldest->first_input);
    else if (const Result* waiting = reorder_.peek()) lower(waiting->first_input);
    if (packetizer_)
        if (auto open = packetizer_->open_first_input()) lower(*open);
    // A resumed run's outputs hold every result before its checkpoint, replayed or not.
    if (incomplete && resume_from_) incomplete = std::max(*incomplete, resume_from_->input_frames);
    return incomplete;
}

// Ends every worker's run; waits for their reports (ack_seconds < 0: as long as it takes).
void Dispatch::shut_down(Tag how, double ack_seconds) {
    if (ended_) return;
    // An open batch goes before the end of the input; a stop abandons it (its packets count as
    // not written, as any in flight do).
    if (how == Tag::end_of_stream) send_batch();
    else batch_.reset();
    ended_ = true;
    tell_workers(how);
    const std::int64_t start = monotonic_ns();
    while (!all_workers_done()) {
        if (ack_seconds >= 0 && seconds_since(start) > ack_seconds) {
            end_job_after_outputs("workers did not acknowledge the end of the run in time");
            return;
        }
        // A stop while the workers run their finish(): the launcher's SIGKILL follows, so wait
        // only stop_grace. The run did not complete (their Finish frames are missing): it fails.
        if (ack_seconds < 0 && stop_grace_over()) {
            end_job_after_outputs("stopped while the workers ran their finish()");
            throw Error(
                "stopped by a signal while the workers ran their finish(); the frames they push there are missing");
        }
        // The watchdog covers the end too: a worker silent for packet_timeout after it was told
        // the input ended (its inner modules' finish() included) is reported.
        if (!watchdog_tripped_)
            if (auto silence = watchdog_->silent_after_end(monotonic_ns(), start, last_heard_ns_, done_))
                trip_watchdog(*silence);
        pump(true);
    }
}

// Every packet is sent. A worker with nothing left takes over a packet that still waits behind
// another worker's current one (the claim board settles that the holder never starts it), and
// once none waits, every worker is told the input ended. A worker reads its messages in order, so
// it answers everything it holds first; one that is done early runs its finish() and reports while
// the others still work, instead of after the last result (17 ranks: 6-7 ms of a 3.45 s run). A
// stop or failure that follows can no longer reach these workers (they come to the end of the
// input instead, and rank 0 decides what is written either way); a stop it was waiting for reached
// them only after the same packets anyway. A single worker has nothing to overlap with, and the
// in-process one would run its finish() inside the send, before its results are read.
void Dispatch::end_game() {
    if (stopping() || failure_ || channel_->workers() < 2) return;
    if (take_back_)
        for (int w = 0; w < channel_->workers(); ++w) {
            const auto i = std::size_t(w);
            // Idle: it owes nothing, not even the answer to a metadata frame (which takes no credit).
            if (told_end_[i] || dead_[i] || done_[i] || !in_flight_.held_by(w).empty()) continue;
            const std::optional<WaitingPacket> waiting = longest_waiting();
            if (!waiting) break;
            take_back(*waiting, w);
        }
    if (!take_back_ || !longest_waiting()) tell_workers(Tag::end_of_stream);
}

std::optional<Dispatch::WaitingPacket> Dispatch::longest_waiting() const {
    // A packet sent alone after every metadata frame can go to any worker: all of them have seen
    // the same metadata before it. Of those waiting, the last held by the worker whose oldest
    // packet has run longest (most likely a long event) is taken.
    std::optional<WaitingPacket> best;
    std::vector<std::optional<std::int64_t>> oldest(std::size_t(channel_->workers()));
    in_flight_.for_each([&](std::uint64_t seq, const InFlight& unit) {
        auto& first = oldest[std::size_t(unit.worker)];
        if (!first) {
            first = unit.sent_ns;  // its first unit: the one it runs (or answered a moment ago)
            return;
        }
        // Taken once at most: its new worker holds it as the only unit it owes.
        if (unit.metadata || !unit.alone || unit.taken || (last_metadata_seq_ && seq <= *last_metadata_seq_)) return;
        if (!channel_->waiting(unit.worker, seq)) return;
        if (!best || *first < best->running_since || (*first == best->running_since && seq > best->seq))
            best = WaitingPacket{unit.worker, seq, *first};
    });
    return best;
}

void Dispatch::take_back(const WaitingPacket& waiting, int to) {
    if (!channel_->withdraw(waiting.holder, waiting.seq)) return;  // it started meanwhile
    InFlight* unit = in_flight_.find(waiting.seq);
    OutgoingMessage message(MessageHeader{Seq{waiting.seq}, message_flags::reply, 0}, unit->input, {},
                            Remember::nothing);
    scheduler_->answered(waiting.holder);
    scheduler_->sent(to);
    unit->worker = to;
    unit->taken = true;
    unit->sent_ns = monotonic_ns();
    unit->sent_bytes = message.size();
    metrics_.bytes_sent += message.size();
    ++metrics_.taken_back;
    channel_->send(to, Tag::packet, std::move(message));
}

void Dispatch::tell_workers(Tag how) {
    for (int w = 0; w < int(dead_.size()); ++w)
        if (!dead_[std::size_t(w)] && !told_end_[std::size_t(w)]) {
            told_end_[std::size_t(w)] = true;  // never a second end, even if this send throws
            channel_->send(w, how, control_message());
        }
}

bool Dispatch::all_workers_done() const { return std::find(done_.begin(), done_.end(), false) == done_.end(); }

void Dispatch::close_after_failure() noexcept {
    failing_ = true;
    limit_input_to_what_was_written();
    try {
        if (channel_) {
            // The job is being ended (a dead or silent worker, here or in another stage), or a
            // stop signal came: the launcher's SIGKILL is near, so wait only briefly.
            shut_down(Tag::stop, stopping() || watchdog_tripped_ || context_->abort_job ? signal_ack_seconds
                                                                                        : failure_ack_seconds);
            end_channel();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mpitray: while stopping the workers: %s\n", message_of(e));
        end_job_after_outputs("the workers could not be stopped in order");
    }
    try {
        if (progress_) progress_->finish();
        report();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mpitray: %s\n", message_of(e));
    }
}

void Dispatch::report() {
    metrics_.peak_reorder_slots = reorder_.peak_slots();
    metrics_.peak_reorder_bytes = reorder_.peak_bytes();
    metrics_.wall_seconds = progress_ ? progress_->elapsed() : 0.0;
    metrics_.cpu_seconds = process_cpu_seconds() - cpu_at_start_;
    const ProcessMemory memory = process_memory();
    metrics_.peak_rss_bytes = memory.peak_rss_bytes;
    metrics_.pss_bytes = memory.pss_bytes;
    metrics_.pss_shmem_bytes = memory.pss_shmem_bytes;
    metrics_.workers = reports_;
    std::sort(metrics_.workers.begin(), metrics_.workers.end(),
              [](const WorkerReport& a, const WorkerReport& b) { return a.rank < b.rank; });
    // A Dispatch that reports again (a later module failed after its finish) replaces its report.
    auto& reports = context_->reports;
    auto mine = std::find_if(reports.begin(), reports.end(), [&](const auto& r) { return r.name == name(); });
    if (mine == reports.end()) mine = reports.insert(reports.end(), {name(), {}, {}});
    mine->summary = format_dispatch_summary(metrics_);
    mine->metrics = dispatch_metrics_json(metrics_);
    if (!context_->metrics_file.empty()) {
        // Rewritten by each stage as it ends: the last one writes them all.
        std::vector<std::string> all;
        all.reserve(reports.size());
        for (const auto& r : reports) all.push_back(r.metrics);
        std::ofstream out(context_->metrics_file);
        out << dispatch_metrics_file(all, context_->stages.size() > 1);
        if (!out) std::fprintf(stderr, "mpitray: cannot write metrics to '%s'\n", context_->metrics_file.c_str());
    }
}

StageRequest Dispatch::stage_request(const ModuleSpec& spec) {
    // Parameters read as the module reads them; one it refuses is reported when the tray is
    // built, and plans with its default meanwhile.
    Dispatch dispatch;
    for (const auto& [param, value] : spec.params) {
        if (param != "workers" && param != "weight") continue;
        try {
            dispatch.set_parameter(param, value);
        } catch (const ConfigError&) {}
    }
    return {spec.name, dispatch.parameter<std::int64_t>("workers"), dispatch.parameter<double>("weight"), spec.where};
}

void register_dispatch_module() {
    ModuleRegistry::instance().add({"Dispatch",
                                    "runs its inner section on MPI worker ranks (in this process with one rank) and "
                                    "pushes the results in input order",
                                    [] { return std::make_unique<Dispatch>(); }});
}

}  // namespace mpitray
