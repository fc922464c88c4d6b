#include <mpitray/core/signals.hpp>
#include <mpitray/core/standard_types.hpp>
#include <mpitray/core/tray_builder.hpp>

#include "../support/list_source.hpp"
#include "../support/specs.hpp"

#include <gtest/gtest.h>

#include <csignal>

using namespace mpitray;

namespace {

// What the Recorder saw.
struct Seen {
    char stop;
    std::int64_t event;
    std::vector<std::string> keys;
    std::uint64_t draw;
};
std::vector<Seen> seen;
bool recorder_closed_after_failure = false;
std::vector<FramePtr> output;

using mpitray::testing::ListSource;
using mpitray::testing::spec;
using mpitray::testing::stops;

class Recorder : public Module {
public:
    void process(const FramePtr& frame) override {
        std::int64_t event = -1;
        if (frame->has(event_header_key)) event = frame->at<EventHeader>(event_header_key).event;
        seen.push_back({frame->stop().code(), event, frame->keys(), rng().next()});
        push(frame);
    }
    void close_after_failure() noexcept override { recorder_closed_after_failure = true; }
};

class Thrower : public Module {
public:
    Thrower() { add_parameter<std::int64_t>("at", "event to throw on", 0); }
    void configure() override { at_ = parameter<std::int64_t>("at"); }
    void physics(const FramePtr& frame) override {
        if (frame->at<EventHeader>(event_header_key).event == at_) throw std::runtime_error("deliberate");
        push(frame);
    }

private:
    std::int64_t at_ = 0;
};

// Drops P frames with odd event numbers.
class DropOdd : public Module {
public:
    void physics(const FramePtr& frame) override {
        if (frame->at<EventHeader>(event_header_key).event % 2 == 0) push(frame);
    }
};

// Puts a shadow frame behind every P frame, and one extra frame in finish().
class ShadowAndFinish : public Module {
public:
    void physics(const FramePtr& frame) override {
        push(frame);
        push(make_frame(Stop::shadow()));
    }
    void finish() override {
        auto frame = make_frame(Stop('X'));
        frame->put("FromFinish", 1.0);
        push(frame);
    }
};

// Adds a key to every G frame.
class TagGeometry : public Module {
public:
    void geometry(const FramePtr& frame) override {
        frame->put("Tagged", true);
        push(frame);
    }
};

// Events FIRST .. FIRST + COUNT - 1 of a sample of P frames, each placed at its event number in
// the whole sample, drawing from the RNG as it makes them.
class SliceSource : public Module {
public:
    SliceSource() {
        add_parameter<std::int64_t>("first", "first event", 0);
        add_parameter<std::int64_t>("count", "events", 0);
    }
    bool is_source() const override { return true; }
    void configure() override {
        next_ = parameter<std::int64_t>("first");
        end_ = next_ + parameter<std::int64_t>("count");
    }
    bool produce() override {
        if (next_ >= end_) return false;
        place_in_sample(std::uint64_t(next_));
        auto frame = make_frame(Stop::physics());
        frame->put(event_header_key, EventHeader{1, next_++, 0});
        frame->put("Drawn", double(rng().next() >> 11));
        push(frame);
        return true;
    }

private:
    std::int64_t next_ = 0, end_ = 0;
};

class Labelled : public Module {
public:
    Labelled() { add_required_parameter<std::string>("label", "a label"); }
};

// Records whether it was asked to write what it held before a failure. Holds back the frames it
// gets and pushes them only then (a Dispatch's results in flight), failing on event `fail_at`.
std::vector<std::string> drained;
class Drainer : public Module {
public:
    Drainer() {
        add_parameter<bool>("hold", "hold the frames back until drained", true);
        add_parameter<std::int64_t>("fail_at", "event to fail on when draining; -1: none", -1);
    }
    void configure() override {
        hold_ = parameter<bool>("hold");
        fail_at_ = parameter<std::int64_t>("fail_at");
    }
    void process(const FramePtr& frame) override {
        if (hold_) held_.push_back(frame);
        else push(frame);
    }
    void drain_before_failure() override {
        drained.push_back(name());
        for (const FramePtr& frame : held_) {
            if (frame->at<EventHeader>(event_header_key).event == fail_at_)
                throw std::runtime_error("failed on what it held");
            push(frame);
        }
    }

private:
    bool hold_ = true;
    std::int64_t fail_at_ = -1;
    std::vector<FramePtr> held_;
};

// Records how it was told the run ended, as an output module would write it into its file.
std::vector<RunEnding> closes_seen;
class Closer : public Module {
public:
    void close_outputs(const RunState& state) override { closes_seen.push_back(state.ending); }
};
// Fails in finish(), or when closing its outputs.
class BadFinisher : public Module {
public:
    BadFinisher() { add_parameter<bool>("at_close", "fail when closing outputs, not in finish()", false); }
    void configure() override { at_close_ = parameter<bool>("at_close"); }
    void finish() override {
        if (!at_close_) throw std::runtime_error("finish failed");
    }
    void close_outputs(const RunState& state) override {
        if (at_close_ && state.ending != RunEnding::failed) throw std::runtime_error("disk full");
    }

private:
    bool at_close_ = false;
};

ModuleRegistry& registry() {
    static ModuleRegistry r;
    static bool filled = false;
    if (!filled) {
        r.add({"ListSource", "test source", [] { return std::make_unique<ListSource>(); }});
        r.add({"SliceSource", "slice source", [] { return std::make_unique<SliceSource>(); }});
        r.add({"Closer", "records closes", [] { return std::make_unique<Closer>(); }});
        r.add({"Drainer", "records drains", [] { return std::make_unique<Drainer>(); }});
        r.add({"BadFinisher", "fails at the end", [] { return std::make_unique<BadFinisher>(); }});
        r.add({"Recorder", "test recorder", [] { return std::make_unique<Recorder>(); }});
        r.add({"Thrower", "test thrower", [] { return std::make_unique<Thrower>(); }});
        r.add({"DropOdd", "drops odd events", [] { return std::make_unique<DropOdd>(); }});
        r.add({"TagGeometry", "tags G frames", [] { return std::make_unique<TagGeometry>(); }});
        r.add({"ShadowAndFinish", "shadow frames", [] { return std::make_unique<ShadowAndFinish>(); }});
        r.add({"Labelled", "has a required parameter", [] { return std::make_unique<Labelled>(); }});
        filled = true;
    }
    return r;
}

std::unique_ptr<Tray> make(std::vector<ModuleSpec> modules, std::uint64_t seed = 1) {
    seen.clear();
    output.clear();
    recorder_closed_after_failure = false;
    TrayEnvironment env;
    env.seed = seed;
    auto tray = build_tray(modules, env, TrayRole::outer, registry());
    tray->set_output([](FramePtr f) { output.push_back(std::move(f)); });
    return tray;
}

bool contains(const std::vector<std::string>& keys, const std::string& key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

TEST(Tray, EventFramesSeeMetadataAndPFramesSeeTheirQ) {
    auto tray = make({spec("ListSource", {{"stops", stops({"G", "C", "Q", "P", "G", "P"})}}), spec("Recorder")});
    EXPECT_EQ(tray->run().ending, RunEnding::complete);
    ASSERT_EQ(seen.size(), 6u);
    const Seen& p = seen[3];
    EXPECT_TRUE(contains(p.keys, "GVersion") && contains(p.keys, "CVersion") && contains(p.keys, "QKey"))
        << "P sees G, C, Q";
    EXPECT_FALSE(contains(seen[2].keys, "PKey")) << "Q does not see P";
    EXPECT_TRUE(contains(seen[1].keys, "GVersion")) << "C sees G";
    EXPECT_FALSE(contains(seen[0].keys, "CVersion")) << "G comes before any C";
    // The second G replaced the first: the last P sees version 4.
    EXPECT_TRUE(contains(seen[5].keys, "GVersion"));
    EXPECT_EQ(tray->environment().run.input_frames, 6u);
}

// A fed tray (an inner section run in-process) whose first module passes Q and P frames on: the
// P frame must still see its Q at the second module (issue: one-rank Dispatch lost Q->P mixing).
TEST(Tray, AFedTrayKeepsQToPMixingPastItsFirstModule) {
    ModuleSpec first = spec("Recorder");
    first.name = "first";
    ModuleSpec second = spec("Recorder");
    second.name = "second";
    seen.clear();
    TrayEnvironment env;
    auto tray = build_tray({first, second}, env, TrayRole::inner, registry());
    auto q = make_frame(Stop::daq());
    q->put("QKey", 1.0);
    q->put(event_header_key, EventHeader{1, 0, 0});
    auto p = make_frame(Stop::physics());
    p->put(event_header_key, EventHeader{1, 0, 0});
    tray->feed(q);
    tray->feed(p);
    tray->finish();
    ASSERT_EQ(seen.size(), 4u);  // Q first, Q second, P first, P second
    EXPECT_TRUE(contains(seen[2].keys, "QKey")) << "the first module's P sees its Q";
    EXPECT_TRUE(contains(seen[3].keys, "QKey")) << "the second module's P sees its Q";
}

TEST(Tray, AModuleSeesMetadataAsItReachedThatModule) {
    ModuleSpec before = spec("Recorder");
    before.name = "before";
    ModuleSpec after = spec("Recorder");
    after.name = "after";
    auto tray = make({spec("ListSource", {{"stops", stops({"G", "P"})}}), before, spec("TagGeometry"), after});
    tray->run();
    ASSERT_EQ(seen.size(), 4u);  // G before, G after, P before, P after
    EXPECT_FALSE(contains(seen[2].keys, "Tagged")) << "a module before TagGeometry does not see its key";
    EXPECT_TRUE(contains(seen[3].keys, "Tagged")) << "a module after it does";
}

TEST(Tray, StopsAtTheEventLimit) {
    auto tray = make({spec("ListSource", {{"stops", stops({"G", "P", "P", "P", "P", "P"})}}), spec("Recorder")});
    const RunState& state = tray->run(3);
    EXPECT_EQ(state.ending, RunEnding::event_limit);
    ASSERT_EQ(seen.size(), 4u) << "G and three P frames";
    EXPECT_EQ(state.input_frames, 4u);
}

TEST(Tray, AModuleErrorNamesTheModuleAndFrameAndClosesEveryModule) {
    auto tray = make({spec("ListSource", {{"stops", stops({"P", "P", "P"})}}), spec("Recorder"),
                      spec("Thrower", {{"at", ConfigValue::of("1")}})});
    try {
        tray->run();
        FAIL() << "expected a ModuleError";
    } catch (const ModuleError& e) {
        EXPECT_EQ(e.module(), "Thrower");
        EXPECT_EQ(e.frame(), "P frame (run 1, event 1) at input position 1");
        EXPECT_EQ(e.message(), "deliberate");
    }
    EXPECT_EQ(tray->environment().run.ending, RunEnding::failed);
    EXPECT_TRUE(recorder_closed_after_failure);
}

TEST(Tray, TheRngDependsOnTheFrameNotOnWhatRanBefore) {
    auto all = make({spec("ListSource", {{"stops", stops({"P", "P", "P", "P", "P", "P"})}}), spec("Recorder")});
    all->run();
    const std::vector<Seen> everything = seen;
    auto some = make(
        {spec("ListSource", {{"stops", stops({"P", "P", "P", "P", "P", "P"})}}), spec("DropOdd"), spec("Recorder")});
    some->run();
    ASSERT_EQ(seen.size(), 3u);
    for (const Seen& s : seen) EXPECT_EQ(s.draw, everything.at(std::size_t(s.event)).draw) << "event " << s.event;
    auto other_seed = make({spec("ListSource", {{"stops", stops({"P"})}}), spec("Recorder")}, 2);
    other_seed->run();
    EXPECT_NE(seen.at(0).draw, everything.at(0).draw);
}

// A slice of a sample draws what the whole sample draws at the same place, in its source and in
// every module after it, while input_frames still counts the slice's own input.
TEST(Tray, ASliceDrawsWhatTheWholeSampleDrawsThere) {
    auto whole = make(
        {spec("SliceSource", {{"first", ConfigValue::of("0")}, {"count", ConfigValue::of("10")}}), spec("Recorder")});
    whole->run();
    std::vector<double> whole_drawn;
    for (const FramePtr& f : output) whole_drawn.push_back(f->at<double>("Drawn"));
    const std::vector<Seen> whole_seen = seen;
    auto slice = make(
        {spec("SliceSource", {{"first", ConfigValue::of("6")}, {"count", ConfigValue::of("4")}}), spec("Recorder")});
    slice->run();
    ASSERT_EQ(output.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(output[i]->origin.position, 6 + i);
        EXPECT_EQ(output[i]->origin.input, i);
        EXPECT_EQ(output[i]->at<double>("Drawn"), whole_drawn[6 + i]) << "the source's draw for event " << 6 + i;
        EXPECT_EQ(seen[i].draw, whole_seen[6 + i].draw) << "a later module's draw for event " << 6 + i;
    }
    EXPECT_EQ(slice->environment().run.input_frames, 4u);
}

// An output before a module that fails in finish() is closed as failed, never as complete
// (issue: a Writer before Dispatch said complete after the run failed).
TEST(Tray, AnOutputBeforeAModuleFailingInFinishIsClosedAsFailed) {
    closes_seen.clear();
    auto tray = make({spec("ListSource", {{"stops", stops({"P", "P"})}}), spec("Closer"), spec("BadFinisher")});
    EXPECT_THROW(tray->run(), ModuleError);
    EXPECT_EQ(closes_seen, std::vector<RunEnding>{RunEnding::failed});
}

// An output closed as complete before a later one fails to close is told again that the run
// failed, so it can say so in its file (issue: a healthy Writer said complete when a later Writer failed).
TEST(Tray, AnOutputClosedBeforeALaterOutputFailsToCloseIsToldTheRunFailed) {
    closes_seen.clear();
    auto tray = make({spec("ListSource", {{"stops", stops({"P"})}}), spec("Closer"),
                      spec("BadFinisher", {{"at_close", ConfigValue::of("true")}})});
    EXPECT_THROW(tray->run(), ModuleError);
    EXPECT_EQ(closes_seen, (std::vector<RunEnding>{RunEnding::complete, RunEnding::failed}));
}

TEST(Tray, ShadowFramesPassEveryModuleUnseenAndFinishPushesGoDownstream) {
    auto tray = make({spec("ListSource", {{"stops", stops({"P", "P"})}}), spec("ShadowAndFinish"), spec("Recorder")});
    tray->run();
    ASSERT_EQ(seen.size(), 3u) << "two P frames and the frame from finish(); no shadows";
    EXPECT_EQ(seen[2].stop, 'X');
    ASSERT_EQ(output.size(), 5u);
    EXPECT_EQ(output[1]->stop(), Stop::shadow());
    EXPECT_EQ(output[3]->stop(), Stop::shadow());
    const auto usage = tray->usage();
    EXPECT_EQ(usage[1].frames_in, 2u);
    EXPECT_EQ(usage[1].frames_out, 5u);
    EXPECT_EQ(usage[2].frames_in, 3u);
}

TEST(Tray, AStopSignalEndsTheRunCleanly) {
    auto tray = make({spec("ListSource", {{"stops", stops({"P", "P"})}}), spec("Recorder")});
    StopSignal::request(SIGTERM);
    const RunState state = tray->run();
    StopSignal::reset();
    EXPECT_EQ(state.ending, RunEnding::stopped);
    EXPECT_EQ(state.signal, SIGTERM);
    EXPECT_EQ(state.reason, "stopped by SIGTERM");
    EXPECT_TRUE(seen.empty());
}

TEST(TrayBuilder, ReportsEveryProblemWithItsLocation) {
    ModuleSpec unknown = spec("Recordr");
    unknown.where = {"p.yaml", 4};
    ModuleSpec misplaced = spec("ListSource");
    misplaced.name = "second";
    misplaced.where = {"p.yaml", 6};
    ModuleSpec bad_param = spec("Thrower", {{"at", ConfigValue::of("x", {"p.yaml", 9})}});
    bad_param.where = {"p.yaml", 8};
    ModuleSpec with_inner = spec("Recorder");
    with_inner.name = "rec2";
    with_inner.has_inner = true;
    try {
        build_tray({spec("ListSource"), unknown, misplaced, bad_param, with_inner}, {}, TrayRole::outer, registry());
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("4 problems in the pipeline"), std::string::npos) << m;
        EXPECT_NE(m.find("p.yaml:4: unknown module 'Recordr'; did you mean 'Recorder'?"), std::string::npos) << m;
        EXPECT_NE(m.find("p.yaml:6: module 'second' (ListSource): is a source and can only be the first module"),
                  std::string::npos)
            << m;
        EXPECT_NE(m.find("p.yaml:8: module 'Thrower' (Thrower): parameter 'at' expects an integer, got 'x' (p.yaml:9)"),
                  std::string::npos)
            << m;
        EXPECT_NE(m.find("takes no 'inner' section"), std::string::npos) << m;
    }
}

TEST(TrayBuilder, ARefusedRequiredParameterIsReportedOnce) {
    ConfigValue null_label = ConfigValue::of("", {"p.yaml", 5});
    null_label.null = true;
    ConfigValue list_label = stops({"a", "b"});
    list_label.where = {"p.yaml", 7};
    for (const ConfigValue& label : {null_label, list_label}) {
        ModuleSpec labelled = spec("Labelled", {{"label", label}});
        labelled.where = {"p.yaml", 4};
        try {
            build_tray({spec("ListSource"), labelled}, {}, TrayRole::outer, registry());
            FAIL() << "expected a ConfigError";
        } catch (const ConfigError& e) {
            const std::string m = e.what();
            EXPECT_EQ(m.find("problems in the pipeline"), std::string::npos) << "one problem, one message: " << m;
            EXPECT_EQ(m.find("needs parameter 'label'"), std::string::npos) << m;
            EXPECT_NE(m.find("p.yaml:4: module 'Labelled' (Labelled): parameter 'label'"), std::string::npos) << m;
        }
    }
    try {
        build_tray({spec("ListSource"), spec("Labelled")}, {}, TrayRole::outer, registry());
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("needs parameter 'label' (string: a label)"), std::string::npos)
            << e.what();
    }
}

TEST(TrayBuilder, TheFirstModuleMustBeASource) {
    EXPECT_THROW(build_tray({spec("Recorder")}, {}, TrayRole::outer, registry()), ConfigError);
    EXPECT_THROW(build_tray({spec("ListSource")}, {}, TrayRole::inner, registry()), ConfigError);
    EXPECT_NO_THROW(build_tray({spec("Recorder")}, {}, TrayRole::inner, registry()));
}

// Modules after the one that failed write what they hold complete (a Dispatch: results still on
// their way), in order; modules before it do not (issue: a second Dispatch lost the results it
// had in flight when the first failed).
TEST(Tray, OnlyTheModulesAfterTheFailedOneDrainWhatTheyHold) {
    ModuleSpec before = spec("Drainer", {{"hold", ConfigValue::of("false")}});
    before.name = "before";
    ModuleSpec after = spec("Drainer");
    after.name = "after";
    ModuleSpec last = spec("Drainer");
    last.name = "last";
    drained.clear();
    auto tray = make({spec("ListSource", {{"stops", stops({"P", "P", "P"})}}), before,
                      spec("Thrower", {{"at", ConfigValue::of("1")}}), after, last});
    EXPECT_THROW(tray->run(), ModuleError);
    EXPECT_EQ(drained, (std::vector<std::string>{"after", "last"}));
    EXPECT_EQ(output.size(), 1u) << "event 0, held by 'after', then by 'last', written when both drained";
}

// A module that fails on what it held when draining failed on an earlier input than the module
// that failed first: its failure is the run's, as in a serial run, where it came first.
TEST(Tray, AFailureWhileDrainingIsTheRunsFailure) {
    ModuleSpec holder = spec("Drainer", {{"fail_at", ConfigValue::of("1")}});
    holder.name = "holder";
    drained.clear();
    auto tray = make({spec("ListSource", {{"stops", stops({"P", "P", "P", "P"})}}),
                      spec("Thrower", {{"at", ConfigValue::of("2")}}), holder});
    try {
        tray->run();
        FAIL() << "the run did not fail";
    } catch (const ModuleError& e) {
        EXPECT_EQ(e.module(), "holder");
        EXPECT_EQ(e.message(), "failed on what it held");
    }
    EXPECT_EQ(output.size(), 1u) << "event 0 only";
    EXPECT_NE(tray->environment().run.reason.find("module 'holder'"), std::string::npos)
        << tray->environment().run.reason;
}
