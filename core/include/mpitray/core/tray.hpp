#pragma once
// A chain of modules. The first is the source: the tray calls its produce() until it is out of
// input, an event limit is reached or a stop signal arrives, then finishes every module in
// order. Frames move depth first: a push runs the next module at once.
//
// The tray, not the modules, handles what must hold for every module:
//   - mixing (each module's input has its own FrameMixer);
//   - the RNG, reseeded before each callback from the seed, the frame's origin and the module;
//   - shadow frames, carried past every module untouched (no user callback sees one);
//   - timing for the usage summary;
//   - turning an exception in a callback into a ModuleError naming the module and the frame.
#include <mpitray/core/frame_mixer.hpp>
#include <mpitray/core/module.hpp>
#include <mpitray/core/rng.hpp>
#include <mpitray/core/run_state.hpp>
#include <mpitray/core/usage.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace mpitray {

class Progress;

class Tray {
public:
    explicit Tray(TrayEnvironment environment = {});
    Tray(const Tray&) = delete;
    Tray& operator=(const Tray&) = delete;
    ~Tray();

    // Appends a module (already named and given its parameters).
    void add(std::unique_ptr<Module> module);
    // Puts a module first: a worker's Receiver goes in front of an inner section built from a file.
    void add_front(std::unique_ptr<Module> module);
    std::size_t size() const noexcept { return slots_.size(); }
    Module& module(std::size_t index) { return *slots_.at(index).module; }

    // Configures every module; the first ConfigError stops it.
    void configure();

    // Runs the source until input ends, `max_events` event frames came out of it, or a stop
    // signal; then finishes every module. On a module error: every module gets
    // close_after_failure(), and the ModuleError propagates.
    const RunState& run(std::optional<std::uint64_t> max_events = std::nullopt);

    // For a tray driven from outside (an inner section run in-process): feed one frame to the
    // first module, and finish when the feeder is done.
    void feed(FramePtr frame);
    void finish();
    // Marks the run failed and lets every module close what it has open.
    void fail(const std::string& reason) noexcept;
    // Input frames fully processed through the whole tray: what the last output holds in full.
    std::uint64_t complete_input_frames() const { return state_at(slots_.size()).input_frames; }
    // The run will not start: every module removes what configure() created.
    void abandon() noexcept;

    // Counts the event frames the source produces in run(), and finishes the lines when the run
    // ends: the progress of a serial run (Dispatch keeps its own, of packets). Not owned.
    void report_progress(Progress* progress) noexcept { progress_ = progress; }

    // Where frames go after the last module (by default they are dropped).
    void set_output(std::function<void(FramePtr)> output) { output_ = std::move(output); }

    // A worker's inner tray: the summary frames of what its modules filled since the last call
    // (none for a module that filled nothing), emptying them; they go back with each result
    // (the Reply), so rank 0's sums follow the output exactly. drop_filled_summaries() empties
    // them instead: before a packet, so a failed one's fills are not sent with the next.
    std::vector<FramePtr> take_filled_summaries();
    void drop_filled_summaries();

    TrayEnvironment& environment() noexcept { return environment_; }
    const TrayEnvironment& environment() const noexcept { return environment_; }
    std::vector<ModuleUsage> usage() const;
    double wall_seconds() const;

private:
    friend class Module;

    struct Timing {
        std::int64_t wall_ns = 0;
        std::int64_t cpu_ns = 0;
    };
    struct Slot {
        std::unique_ptr<Module> module;
        std::unique_ptr<FrameMixer> mixer;
        std::uint64_t module_key = 0;
        Rng rng;
        ModuleUsage usage;
        std::int64_t wall_ns = 0;                           // own wall time of every call
        Timing sampled;                                     // wall and CPU time of the calls whose CPU time was read
        const Frame* current = nullptr;                     // the frame the module is processing, if any
        std::uint64_t children = 0;                         // frames it created while processing `current`
        std::optional<std::uint64_t> complete_input_limit;  // Module::limit_complete_input
        std::uint64_t skipped_packets = 0;                  // Module::record_skipped_packets
        std::string failure_log;
    };

    // Runs `call` as module `index`'s callback: timing, RNG, error wrapping.
    // `phase` names what the module was doing when there is no frame ("producing frames").
    template <class Call>
    void invoke(std::size_t index, const Frame* frame, Call&& call, const char* phase = "");
    void deliver(std::size_t index, FramePtr frame);
    void push_from(std::size_t index, FramePtr frame);
    void stamp_origin(Slot& from, Frame& frame);
    void place_next_in_sample(std::uint64_t position);                      // Module::place_in_sample
    void run_uncounted(const std::function<void()>& pushes);                // Module::uncounted
    void run_replayed(const std::function<void()>& pushes);                 // Module::replayed
    Checkpoint checkpoint_after(std::size_t index, Checkpoint checkpoint);  // Module::checkpoint_after
    // A resumed run: puts back module `index`'s summaries as the checkpoint has them.
    void restore_summaries(std::size_t index);
    // Pushes module `index`'s summary frame after its finish(), if it has summaries.
    void push_summaries(std::size_t index);
    // How the run ended as seen by module `index`: with the input limits and skipped packets of
    // the modules before it.
    RunState state_at(std::size_t index) const;
    static void mark_stopped_short(RunState& state);  // complete, but a stop left input out
    void close_outputs() noexcept;                    // after a failure: every module, errors printed
    // After a failure: the modules after the one that failed push what they hold complete. A
    // module failing on that (an earlier input than the first failure's) is returned.
    std::exception_ptr drain_after_failed_module() noexcept;
    void reseed_for_produce(Slot& slot, std::uint64_t position);

    TrayEnvironment environment_;
    std::vector<Slot> slots_;
    bool in_produce_ = false;
    bool finishing_ = false;
    bool replaying_ = false;                  // Module::replayed
    std::optional<std::size_t> failed_slot_;  // the module whose callback threw first
    std::uint64_t daq_generation_ = 0;        // Q frames that entered the tray (see FrameMixer)
    std::function<void(FramePtr)> output_;
    std::vector<Timing> child_time_;  // one entry per callback in progress
    static constexpr std::uint64_t cpu_sample_every = 16;
    int sampling_depth_ = 0;  // > 0 inside a call whose CPU time is being read
    std::optional<std::uint64_t> max_events_;
    std::uint64_t source_events_ = 0;
    std::optional<std::uint64_t> next_sample_position_;  // set by the source (place_in_sample)
    Progress* progress_ = nullptr;
    std::uint64_t finish_children_ = 0;
    std::chrono::steady_clock::time_point started_{};
    std::chrono::steady_clock::time_point ended_{};
};

}  // namespace mpitray
