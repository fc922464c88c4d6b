#pragma once
// A module: callbacks per stop, pushing zero, one or many frames downstream; typed parameters
// declared in the constructor and read in configure().
//
//   class Scale : public mpitray::Module {
//   public:
//       Scale() { add_parameter<double>("factor", "multiply Energy by this", 1.0); }
//       void configure() override { factor_ = parameter<double>("factor"); }
//       void physics(const FramePtr& frame) override {
//           frame->put("ScaledEnergy", factor_ * frame->at<double>("Energy"));
//           push(frame);
//       }
//   private:
//       double factor_ = 1.0;
//   };
//   MPITRAY_REGISTER_MODULE(Scale, "Scale", "multiplies a P frame's Energy");
#include <mpitray/core/file_use.hpp>
#include <mpitray/core/frame.hpp>
#include <mpitray/core/module_spec.hpp>
#include <mpitray/core/parameter.hpp>
#include <mpitray/core/rng.hpp>
#include <mpitray/core/run_state.hpp>
#include <mpitray/core/summary_set.hpp>
#include <mpitray/core/tables.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mpitray {

class Tray;

class Module {
public:
    Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;
    virtual ~Module() = default;

    const std::string& name() const noexcept { return name_; }
    const std::string& type() const noexcept { return type_; }
    const ParameterSet& parameters() const noexcept { return params_; }
    // Where the module's entry is in the pipeline file, for messages.
    const SourceLocation& location() const noexcept { return location_; }
    void set_location(SourceLocation where) { location_ = std::move(where); }

    // Sets a parameter from the pipeline file or --set; ConfigError names module and parameter.
    void set_parameter(const std::string& name, const ConfigValue& value);
    // Names the first required parameter without a value, except those whose value was refused.
    void check_required_parameters(const std::set<std::string>& refused = {}) const;

    // Names a module built by the framework itself rather than from a pipeline entry.
    void identify(std::string name, std::string type) {
        name_ = std::move(name);
        type_ = std::move(type);
    }

    // Only the framework's Reply module sees shadow frames; the tray carries them past all others.
    virtual bool sees_shadow_frames() const { return false; }
    // Summary frames (stop Z, summary_set.hpp) are seen by the modules that write frames or keep
    // their order (Writer, Dispatch, Reply); the tray carries them past all others, so a module's
    // summaries reach the output as it made them.
    virtual bool sees_summary_frames() const { return false; }

    // A module that must see every event of the stream, in order (one that numbers events, merges
    // coincident ones, or needs continuous data) says why here. It cannot run inside a Dispatch
    // inner section, where each worker sees only its packets: the tray builder refuses it there.
    // Empty: the module works on each event on its own.
    virtual std::string needs_every_event_in_order() const { return {}; }

    // Only modules that run a section of their own (Dispatch) take an inner list.
    virtual bool accepts_inner() const { return false; }
    // A sink: overrides move from it.
    // NOLINTNEXTLINE(performance-unnecessary-value-param)
    virtual void set_inner(std::vector<ModuleSpec> /*inner*/) {}

    // The files this module reads and writes, from its parameters alone: asked after they are
    // set and before any module is configured, so that modules that would destroy each other's
    // files (or the pipeline file) are refused before configure() creates or removes anything.
    // Modules that run an inner section need not list its modules' files: they are asked too.
    virtual std::vector<FileUse> files() const { return {}; }

    // Reads parameters, opens files, checks everything that can be checked before a frame moves.
    virtual void configure() {}
    // A source is the first module of a tray: produce() pushes the next frame(s) and returns
    // false when its input is exhausted.
    virtual bool is_source() const { return false; }
    virtual bool produce();
    // Called for every frame but shadow frames. The default calls the per-stop callback.
    virtual void process(const FramePtr& frame);
    // End of input: flush and close. Frames pushed here still go downstream. Inside a Dispatch
    // every worker runs it: what a module counts belongs in its summaries(), which the framework
    // merges across workers and pushes once, right after finish().
    virtual void finish() {}
    // The run is failing because a module before this one failed. Push downstream what you hold
    // that is complete (results still on their way back from workers), so the outputs hold every
    // result before the failed input, as a serial run's would. Not called when the failure came
    // from this module or one after it. close_after_failure() follows.
    virtual void drain_before_failure() {}
    // The run failed: let go of what is in flight (workers, connections). Must not throw.
    // Outputs are closed after it, in close_outputs().
    virtual void close_after_failure() noexcept {}
    // The run has ended: every module has finished (or had close_after_failure()). Close the files
    // you write, recording `state`: how the run ended and what of the input they hold in full.
    // Called once per run, on every module, after every module has finished, so an output never
    // says 'complete' while a module after it fails in its own finish(). Called again with a
    // failed state if closing a later module's output fails: then say so in your closed file.
    virtual void close_outputs(const RunState& /*state*/) {}
    // The run never started (configuration failed, here or on another rank): remove what
    // configure() created. Must not throw.
    virtual void abandon() noexcept {}
    // An output records `checkpoint` (checkpoint.hpp) in its file, with what it has written so
    // far: everything before the checkpoint's input and nothing after it. Called between frames.
    virtual void checkpoint(const Checkpoint& /*checkpoint*/) {}
    // An output module that records checkpoints and writes on from one (mpitray run --resume).
    virtual bool resumes_outputs() const { return false; }

protected:
    template <class T>
    void add_parameter(const std::string& name, const std::string& doc, T default_value) {
        params_.declare({name, param_type_of<T>(), doc, ParamValue(std::move(default_value)), false});
    }
    template <class T>
    void add_optional_parameter(const std::string& name, const std::string& doc) {
        params_.declare({name, param_type_of<T>(), doc, std::nullopt, false});
    }
    template <class T>
    void add_required_parameter(const std::string& name, const std::string& doc) {
        params_.declare({name, param_type_of<T>(), doc, std::nullopt, true});
    }
    template <class T>
    T parameter(const std::string& name) const {
        if (auto value = params_.get<T>(name)) return *value;
        throw config_error("parameter '" + name + "' has no value");
    }
    template <class T>
    std::optional<T> optional_parameter(const std::string& name) const {
        return params_.get<T>(name);
    }
    // The value of an int or float parameter if it is from `min` to `max`, else a config_error
    // naming the parameter, the range (with `note` for people: "1 GiB") and the value. Modules
    // bound every number they use, so that one the type allows but the module cannot (a payload
    // of 2^63 bytes, a wait of 1e300 ms) is a configuration error, not an overflow at run time.
    std::int64_t parameter_within(const std::string& name, std::int64_t min, std::int64_t max,
                                  const std::string& note = {}) const;
    double parameter_within(const std::string& name, double min, double max, const std::string& note = {}) const;
    // A ConfigError that names this module (and where the parameter was written, if given).
    ConfigError config_error(const std::string& message, const std::string& parameter = {}) const;

    virtual void geometry(const FramePtr& frame) { push(frame); }
    virtual void calibration(const FramePtr& frame) { push(frame); }
    virtual void detector_status(const FramePtr& frame) { push(frame); }
    virtual void simulation(const FramePtr& frame) { push(frame); }
    virtual void tray_info(const FramePtr& frame) { push(frame); }
    virtual void daq(const FramePtr& frame) { push(frame); }
    virtual void physics(const FramePtr& frame) { push(frame); }
    virtual void other(const FramePtr& frame) { push(frame); }

    // Sends a frame to the next module.
    void push(FramePtr frame);
    // Says that only the first `frames` input frames were fully processed past this module (a
    // stopped or failed run that abandoned work in flight); outputs after it record the smaller
    // count, outputs before it are not affected.
    void limit_complete_input(std::uint64_t frames);
    // Says that this module left out `packets` packets whose input went to `failure_log` (may be
    // empty); outputs after it record both.
    void record_skipped_packets(std::uint64_t packets, const std::string& failure_log);
    // What this module counts, sums and histograms over the run (summary_set.hpp): declared in
    // the constructor or configure(), filled per frame, pushed as one summary frame after
    // finish(), merged across workers inside a Dispatch.
    SummarySet& summaries() noexcept { return summaries_; }
    // Runs `pushes`, whose frames the module sends downstream, without letting any module of the
    // tray count them in its summaries: a worker's copy of a metadata frame that another worker
    // processes for the output (the Receiver).
    void uncounted(const std::function<void()>& pushes);
    // Runs `pushes` as a resumed run's replay of input the outputs already hold: the modules
    // after this one see the frames (a metadata frame they must know), count nothing, and
    // outputs write nothing (replaying() is true while they run).
    void replayed(const std::function<void()>& pushes);
    // True while the frame being processed is replayed: an output does not write it again.
    bool replaying() const;
    // Records `checkpoint` in every module after this one (Module::checkpoint), adding to its
    // summaries those of these modules as they are now. Returns it as they recorded it.
    Checkpoint checkpoint_after(Checkpoint checkpoint);
    // The tray's Tray::take_filled_summaries() and drop_filled_summaries(), for the worker's
    // Reply and Receiver.
    std::vector<FramePtr> take_filled_summaries();
    void drop_filled_summaries();
    // The framework RNG, reseeded for this module and the frame being processed.
    Rng& rng();
    // For a source whose input is a slice of a larger sample (events 1000 to 1999 of a
    // simulation): the next frame it pushes sits at `position` in the whole sample, and the ones
    // after it follow on. Reseeds rng() as for that frame, so the slice draws, and every module
    // downstream draws, what the whole sample run at once would; slices merged equal the whole.
    // Without it a source's frames are placed at their input positions.
    void place_in_sample(std::uint64_t position);
    const TrayEnvironment& environment() const;
    // A read-only table this module needs (docs/user-guide.md, "Shared tables"), from the
    // tray's TableService: under mpirun one copy per node, which the first rank of the node to
    // ask builds with `fill` and the others map. Without a service in the tray's context (a tray
    // a test or another program built) it is built in this process. Throws ConfigError for a bad
    // request, Error when the build failed.
    std::shared_ptr<const Table> table(const TableRequest& request, const TableFill& fill);

private:
    friend class Tray;
    friend class ModuleRegistry;  // names the module it creates
    std::string name_;
    std::string type_;
    ParameterSet params_;
    SourceLocation location_;
    SummarySet summaries_;
    Tray* tray_ = nullptr;
    std::unique_ptr<PrivateTables> own_tables_;  // without a TableService in the context
    std::size_t index_ = 0;
};

}  // namespace mpitray
