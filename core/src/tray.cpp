#include <mpitray/core/tray.hpp>

#include <mpitray/core/clock.hpp>
#include <mpitray/core/progress.hpp>
#include <mpitray/core/signals.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <utility>

namespace mpitray {
namespace {

std::string stop_reason(int signal) {
    return std::string("stopped by ") + (sigabbrev_np(signal) ? "SIG" + std::string(sigabbrev_np(signal)) : "a signal");
}

std::int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The lineage of the frames a module creates in finish(), apart from every frame of the input.
constexpr std::uint64_t finish_lineage = 0xf1f1f1f1f1f1f1f1ull;
// The input position of frames made, and RNG draws taken, in finish().
constexpr std::uint64_t end_of_input = FrameOrigin::unset - 1;
// The RNG stream of callbacks without a frame (a source's produce(), finish()), apart from the
// frames' own streams; keyed by the input position reached.
constexpr std::uint64_t produce_lineage = 0x5050505050505050ull;

}  // namespace

Tray::Tray(TrayEnvironment environment) : environment_(std::move(environment)) {}

Tray::~Tray() = default;

void Tray::add(std::unique_ptr<Module> module) {
    module->tray_ = this;
    module->index_ = slots_.size();
    Slot slot;
    slot.mixer = std::make_unique<FrameMixer>(environment_, daq_generation_);
    slot.module_key = Rng::key_of(module->name());
    slot.usage.name = module->name();
    slot.usage.type = module->type();
    slot.module = std::move(module);
    slots_.push_back(std::move(slot));
}

void Tray::add_front(std::unique_ptr<Module> module) {
    add(std::move(module));
    std::rotate(slots_.begin(), slots_.end() - 1, slots_.end());
    for (std::size_t i = 0; i < slots_.size(); ++i) slots_[i].module->index_ = i;
}

void Tray::configure() {
    for (Slot& slot : slots_) {
        try {
            slot.module->configure();
            if (environment_.resume_from) restore_summaries(std::size_t(&slot - slots_.data()));
        } catch (const std::exception& e) {
            abandon();
            const std::string at = slot.module->location().str();
            throw ConfigError((at.empty() ? "" : at + ": ") + "module '" + slot.module->name() + "' (" +
                              slot.module->type() + "): " + message_of(e));
        }
    }
}

template <class Call>
void Tray::invoke(std::size_t index, const Frame* frame, Call&& call, const char* phase) {
    Slot& slot = slots_[index];
    slot.current = frame;
    slot.children = 0;
    if (frame != nullptr)
        slot.rng.reseed(
            Rng::stream_seed(environment_.seed, frame->origin.position, frame->origin.lineage, slot.module_key));
    else if (finishing_) reseed_for_produce(slot, end_of_input);
    else reseed_for_produce(slot, next_sample_position_.value_or(environment_.run.input_frames));

    // CPU time costs a system call to read, so it is read on one call in cpu_sample_every, and on
    // every call nested in a sampled one (so the sampled call's own share stays exact); usage()
    // scales it by wall time. Wall time is read on every call.
    const bool sample_cpu = sampling_depth_ > 0 || slot.usage.calls % cpu_sample_every == 0;
    if (sample_cpu) ++sampling_depth_;
    // A failure caught and handled inside an earlier callback (a worker's feeder turns it into a
    // report) is not this one's.
    if (child_time_.empty()) failed_slot_.reset();
    child_time_.push_back({});
    const std::int64_t wall0 = monotonic_ns();
    const std::int64_t cpu0 = sample_cpu ? thread_cpu_ns() : 0;
    auto account = [&] {
        const Timing inclusive{monotonic_ns() - wall0, sample_cpu ? thread_cpu_ns() - cpu0 : 0};
        const Timing children = child_time_.back();
        child_time_.pop_back();
        const std::int64_t own_wall = inclusive.wall_ns - children.wall_ns;
        slot.wall_ns += own_wall;
        if (sample_cpu) {
            slot.sampled.wall_ns += own_wall;
            slot.sampled.cpu_ns += inclusive.cpu_ns - children.cpu_ns;
            --sampling_depth_;
        }
        ++slot.usage.calls;
        if (!child_time_.empty()) {
            child_time_.back().wall_ns += inclusive.wall_ns;
            child_time_.back().cpu_ns += inclusive.cpu_ns;
        }
        slot.current = nullptr;
    };
    // The innermost callback catches first: that is the module whose failure this is.
    auto account_failure = [&] {
        account();
        if (!failed_slot_) failed_slot_ = index;
    };
    try {
        call();
    } catch (const ModuleError&) {
        account_failure();
        throw;  // already names the module downstream that failed
    } catch (const MpiError&) {
        account_failure();
        throw;  // about the job (a rank, a link), not about the frame at hand
    } catch (const std::exception& e) {
        account_failure();
        throw ModuleError(slot.module->name(), frame ? frame->describe() : std::string(phase), message_of(e));
    } catch (...) {
        account_failure();
        throw ModuleError(slot.module->name(), frame ? frame->describe() : std::string(phase),
                          "threw something that is not a std::exception");
    }
    account();
}

void Tray::deliver(std::size_t index, FramePtr frame) {
    if (index == slots_.size()) {
        if (output_) output_(std::move(frame));
        return;
    }
    Slot& slot = slots_[index];
    if ((frame->stop() == Stop::shadow() && !slot.module->sees_shadow_frames()) ||
        (frame->stop() == Stop::summary() && !slot.module->sees_summary_frames())) {
        deliver(index + 1, std::move(frame));  // carried past user modules: none can see or drop it
        return;
    }
    slot.mixer->mix(*frame);
    ++slot.usage.frames_in;
    invoke(index, frame.get(), [&] { slot.module->process(frame); });
}

void Tray::reseed_for_produce(Slot& slot, std::uint64_t position) {
    slot.rng.reseed(Rng::stream_seed(environment_.seed, position, produce_lineage, slot.module_key));
}

void Tray::place_next_in_sample(std::uint64_t position) {
    next_sample_position_ = position;
    reseed_for_produce(slots_.front(), position);
}

void Tray::run_uncounted(const std::function<void()>& pushes) {
    std::vector<SummarySet> saved;
    saved.reserve(slots_.size());
    for (const Slot& slot : slots_) saved.push_back(slot.module->summaries_);
    auto restore = [&] {
        for (std::size_t i = 0; i < slots_.size(); ++i) slots_[i].module->summaries_.restore(saved[i]);
    };
    try {
        pushes();
    } catch (...) {
        restore();
        throw;
    }
    restore();
}

void Tray::run_replayed(const std::function<void()>& pushes) {
    const bool was = std::exchange(replaying_, true);
    try {
        run_uncounted(pushes);
    } catch (...) {
        replaying_ = was;
        throw;
    }
    replaying_ = was;
}

Checkpoint Tray::checkpoint_after(std::size_t index, Checkpoint checkpoint) {
    for (std::size_t i = index + 1; i < slots_.size(); ++i) {
        const Module& module = *slots_[i].module;
        if (!module.summaries_.empty()) checkpoint.summaries.push_back(module.summaries_.frame(module.name()));
    }
    for (std::size_t i = index + 1; i < slots_.size(); ++i) slots_[i].module->checkpoint(checkpoint);
    return checkpoint;
}

void Tray::restore_summaries(std::size_t index) {
    Module& module = *slots_[index].module;
    for (const FramePtr& frame : environment_.resume_from->summaries)
        if (summary_frame_module(*frame) == module.name()) module.summaries_.add(*frame);
}

std::vector<FramePtr> Tray::take_filled_summaries() {
    std::vector<FramePtr> out;
    for (Slot& slot : slots_)
        if (!slot.module->summaries_.empty())
            if (FramePtr filled = slot.module->summaries_.take_filled(slot.module->name()))
                out.push_back(std::move(filled));
    return out;
}

void Tray::drop_filled_summaries() {
    for (Slot& slot : slots_) slot.module->summaries_.clear();
}

void Tray::push_summaries(std::size_t index) {
    const Module& module = *slots_[index].module;
    if (!module.summaries_.empty()) push_from(index, module.summaries_.frame(module.name()));
}

void Tray::stamp_origin(Slot& from, Frame& frame) {
    if (from.current != nullptr) {
        frame.origin.position = from.current->origin.position;
        frame.origin.lineage = Rng::mix(from.current->origin.lineage, ++from.children);
        frame.origin.input = from.current->origin.input;
    } else if (&from == &slots_.front() && in_produce_) {
        frame.origin.position = next_sample_position_ ? (*next_sample_position_)++ : environment_.run.input_frames;
        frame.origin.lineage = 0;
    } else {
        // Made in finish(): the same origin however much input this tray saw (a worker sees part).
        frame.origin.position = end_of_input;
        frame.origin.lineage = Rng::mix(Rng::mix(finish_lineage, from.module_key), ++finish_children_);
    }
}

void Tray::push_from(std::size_t index, FramePtr frame) {
    if (!frame) throw Error("pushed an empty frame pointer");
    Slot& from = slots_[index];
    if (index == 0 && in_produce_) {
        // A frame the source produces enters the tray here. In a fed tray (feed()), frames enter
        // at feed(); what the first module pushes there has already entered, so counting its Q
        // again would hide the Q from the P frames behind it (fixed: one-rank Dispatch with Q and
        // P frames already paired).
        const bool event = !environment_.is_metadata(frame->stop()) && frame->stop() != Stop::shadow() &&
                           frame->stop() != Stop::summary();
        if (max_events_ && source_events_ >= *max_events_) return;  // past the event limit
        if (frame->stop() == Stop::daq()) ++daq_generation_;
        if (event) ++source_events_;
        if (!frame->origin.known()) stamp_origin(from, *frame);
        frame->origin.input = environment_.run.input_frames;
        ++from.usage.frames_out;
        deliver(index + 1, std::move(frame));
        // Counted once it went through the tray: a frame a module failed on is not held in full.
        ++environment_.run.input_frames;
        return;
    } else if (!frame->origin.known()) {
        stamp_origin(from, *frame);
    }
    ++from.usage.frames_out;
    deliver(index + 1, std::move(frame));
}

const RunState& Tray::run(std::optional<std::uint64_t> max_events) {
    if (slots_.empty()) throw ConfigError("the tray has no modules");
    if (!slots_.front().module->is_source())
        throw ConfigError("module '" + slots_.front().module->name() + "' (" + slots_.front().module->type() +
                          ") cannot start a tray: the first module must be a source such as Generator or Reader");
    started_ = std::chrono::steady_clock::now();
    max_events_ = max_events;
    RunState& state = environment_.run;
    try {
        while (true) {
            if (const int signal = StopSignal::received()) {
                state.ending = RunEnding::stopped;
                state.signal = signal;
                state.reason = stop_reason(signal);
                break;
            }
            if (max_events_ && source_events_ >= *max_events_) {
                state.ending = RunEnding::event_limit;
                break;
            }
            bool more = false;
            const std::uint64_t events_before = source_events_;
            in_produce_ = true;
            invoke(
                0, nullptr, [&] { more = slots_.front().module->produce(); }, "its input (producing frames)");
            in_produce_ = false;
            // Depth first: the events produced have been through the whole tray by now.
            if (progress_) progress_->done(source_events_ - events_before);
            if (!more) {
                state.ending = RunEnding::complete;
                break;
            }
        }
        finish();
        if (progress_) progress_->finish();
    } catch (const std::exception& e) {
        in_produce_ = false;
        const std::exception_ptr earlier = drain_after_failed_module();
        if (progress_) progress_->finish();
        if (earlier) {
            // A module after the failed one failed on what it held: input from before the first
            // failure's, so it is the run's failure, as in a serial run, where it came first.
            try {
                std::rethrow_exception(earlier);
            } catch (const std::exception& first) {
                fail(message_of(first));
                throw;
            }
        }
        fail(message_of(e));
        throw;
    } catch (...) {
        in_produce_ = false;
        if (progress_) progress_->finish();
        fail("an exception that is not a std::exception");
        throw;
    }
    return state;
}

void Tray::feed(FramePtr frame) {
    if (started_ == std::chrono::steady_clock::time_point{}) started_ = std::chrono::steady_clock::now();
    if (frame->stop() == Stop::daq()) ++daq_generation_;  // a Q enters the tray
    deliver(0, std::move(frame));
}

void Tray::finish() {
    if (environment_.run.ending == RunEnding::running) environment_.run.ending = RunEnding::complete;
    finishing_ = true;
    for (std::size_t i = 0; i < slots_.size(); ++i)
        invoke(
            i, nullptr,
            [&] {
                slots_[i].module->finish();
                push_summaries(i);
            },
            "finish (end of input)");
    // Outputs close only now: a module failing in finish() must not follow an output already
    // marked complete. A failure here reaches fail(), which closes them all again as failed.
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const RunState state = state_at(i);
        invoke(
            i, nullptr, [&] { slots_[i].module->close_outputs(state); }, "closing its outputs");
    }
    if (complete_input_frames() < environment_.run.input_frames) mark_stopped_short(environment_.run);
    environment_.run.input_frames = complete_input_frames();
    ended_ = std::chrono::steady_clock::now();
}

void Tray::fail(const std::string& reason) noexcept {
    environment_.run.ending = RunEnding::failed;
    environment_.run.reason = reason;
    for (Slot& slot : slots_) slot.module->close_after_failure();
    close_outputs();
    environment_.run.input_frames = complete_input_frames();
    ended_ = std::chrono::steady_clock::now();
}

std::exception_ptr Tray::drain_after_failed_module() noexcept {
    if (!failed_slot_) return nullptr;
    // In order, so what one pushes passes the next; what a module pushes still goes all the way
    // down. A second failure ends the draining: a module's failure on what was held is returned,
    // any other (a silent worker) only reported.
    const std::size_t failed = *failed_slot_;
    for (std::size_t i = failed + 1; i < slots_.size(); ++i) {
        try {
            invoke(
                i, nullptr, [&] { slots_[i].module->drain_before_failure(); },
                "writing what was complete before the failure");
        } catch (const ModuleError&) {
            return std::current_exception();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "mpitray: while writing what was complete before the failure: %s\n", message_of(e));
            return nullptr;
        }
    }
    return nullptr;
}

void Tray::close_outputs() noexcept {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        try {
            slots_[i].module->close_outputs(state_at(i));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "mpitray: module '%s' could not close its outputs after the failure: %s\n",
                         slots_[i].module->name().c_str(), message_of(e));
        }
    }
}

RunState Tray::state_at(std::size_t index) const {
    RunState state = environment_.run;
    for (std::size_t j = 0; j < index && j < slots_.size(); ++j) {
        const Slot& slot = slots_[j];
        if (slot.complete_input_limit) state.input_frames = std::min(state.input_frames, *slot.complete_input_limit);
        if (slot.skipped_packets > 0) {
            state.skipped_packets += slot.skipped_packets;
            state.failure_log = slot.failure_log;
        }
    }
    if (state.input_frames < environment_.run.input_frames) mark_stopped_short(state);
    return state;
}

void Tray::mark_stopped_short(RunState& state) {
    // A stop that left input out (a Dispatch sends nothing more once it comes) did not complete
    // the run, even when the source had nothing more to give.
    const int signal = StopSignal::received();
    if (signal == 0 || (state.ending != RunEnding::complete && state.ending != RunEnding::event_limit)) return;
    state.ending = RunEnding::stopped;
    state.signal = signal;
    state.reason = stop_reason(signal);
}

void Tray::abandon() noexcept {
    for (Slot& slot : slots_) slot.module->abandon();
}

std::vector<ModuleUsage> Tray::usage() const {
    std::vector<ModuleUsage> out;
    for (const Slot& slot : slots_) {
        ModuleUsage u = slot.usage;
        u.wall_seconds = double(slot.wall_ns) * 1e-9;
        const double cpu_per_wall =
            slot.sampled.wall_ns > 0 ? double(slot.sampled.cpu_ns) / double(slot.sampled.wall_ns) : 0.0;
        u.cpu_seconds = u.wall_seconds * cpu_per_wall;
        out.push_back(u);
    }
    return out;
}

double Tray::wall_seconds() const {
    const auto end = ended_ == std::chrono::steady_clock::time_point{} ? std::chrono::steady_clock::now() : ended_;
    return std::chrono::duration<double>(end - started_).count();
}

const char* run_ending_name(RunEnding ending) {
    switch (ending) {
        case RunEnding::running: return "running";
        case RunEnding::complete: return "complete";
        case RunEnding::event_limit: return "event_limit";
        case RunEnding::stopped: return "stopped";
        case RunEnding::failed: return "failed";
    }
    return "unknown";
}

}  // namespace mpitray
