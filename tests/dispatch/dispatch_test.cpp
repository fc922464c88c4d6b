// Dispatch's decisions, case by case, without mpirun: the workers are ScriptedWorkers in this
// process, so each case sets exactly the order of answers, the failures, the silences and the
// signals it is about. The mpirun suite (equivalence_test.sh, failure_test.sh) stays the
// end-to-end proof.
#include "../support/list_source.hpp"
#include "../support/specs.hpp"
#include "scripted_workers.hpp"

#include <mpitray/core/signals.hpp>
#include <mpitray/core/standard_types.hpp>
#include <mpitray/core/tray_builder.hpp>
#include <mpitray/dispatch/dispatch.hpp>
#include <mpitray/dispatch/dispatch_context.hpp>
#include <mpitray/dispatch/stage_plan.hpp>
#include <mpitray/modules/builtin.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <thread>

using namespace mpitray;
using mpitray::testing::ListSource;
using mpitray::testing::ScriptedWorkers;
using mpitray::testing::spec;
using mpitray::testing::stops;

namespace {

// After a Dispatch: keeps every checkpoint it is handed.
class CheckpointRecorder : public Module {
public:
    static std::vector<Checkpoint>& recorded() {
        static std::vector<Checkpoint> checkpoints;
        return checkpoints;
    }
    void process(const FramePtr& frame) override { push(frame); }
    void checkpoint(const Checkpoint& checkpoint) override { recorded().push_back(checkpoint); }
};

// Between a source and a Dispatch: holds every 40th P frame back 2 ms, as a slow module would
// now and then, and says while it pushes such a late frame on.
class Pause : public Module {
public:
    static inline bool pushing_late = false;
    static inline int late_frames = 0;
    void process(const FramePtr& frame) override {
        if (frame->stop() != Stop::physics() || ++physics_ % 40 != 0) return push(frame);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        ++late_frames;
        pushing_late = true;
        push(frame);
        pushing_late = false;
    }

private:
    int physics_ = 0;
};

void register_modules() {
    register_builtin_modules();
    register_dispatch_module();
    ModuleRegistry::instance().add(
        {"ListSource", "test source: the stops given", [] { return std::make_unique<ListSource>(); }});
    ModuleRegistry::instance().add({"CheckpointRecorder", "test module: keeps the checkpoints it is handed",
                                    [] { return std::make_unique<CheckpointRecorder>(); }});
    ModuleRegistry::instance().add(
        {"Pause", "test module: holds every 40th P frame back 2 ms", [] { return std::make_unique<Pause>(); }});
}

// A frame as the tests compare them: its stop and its place in the input.
struct Seen {
    char stop;
    std::uint64_t input;
    bool operator==(const Seen&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Seen& s) { return out << s.stop << '@' << s.input; }

class DispatchDecisions : public ::testing::Test {
protected:
    void SetUp() override {
        register_modules();
        StopSignal::reset();
    }
    void TearDown() override { StopSignal::reset(); }

    // A source, then a Dispatch with these parameters whose workers are `workers` scripted ones.
    void build(const ModuleSpec& source, std::vector<std::pair<std::string, ConfigValue>> dispatch_params,
               int workers) {
        build_with({source}, std::move(dispatch_params), workers);
    }
    // The same after these modules.
    void build_with(std::vector<ModuleSpec> before, std::vector<std::pair<std::string, ConfigValue>> dispatch_params,
                    int workers, std::vector<ModuleSpec> after = {}) {
        output_.clear();
        context_ = DispatchContext{};
        context_.progress = false;
        context_.make_channel = [this, workers](const std::vector<ModuleSpec>&, const TrayEnvironment&) {
            auto channel = std::make_unique<ScriptedWorkers>(workers);
            scripted_ = channel.get();
            return channel;
        };
        ModuleSpec dispatch = spec("Dispatch", std::move(dispatch_params));
        dispatch.has_inner = true;
        TrayEnvironment environment;
        environment.context.put(context_);
        before.push_back(dispatch);
        before.insert(before.end(), after.begin(), after.end());
        tray_ = build_tray(before, environment, TrayRole::outer);
        tray_->set_output([this](FramePtr frame) { output_.push_back({frame->stop().code(), frame->origin.input}); });
    }
    ScriptedWorkers& workers() { return *scripted_; }
    // Two workers that packets can be taken back from, one packet per message (as in batches,
    // none would be).
    void build_taking_back(const ModuleSpec& source,
                           std::vector<std::pair<std::string, ConfigValue>> dispatch_params = {}) {
        dispatch_params.push_back({"batch", ConfigValue::of("1")});
        build(source, std::move(dispatch_params), 2);
        workers().takes_back = true;
    }
    // Keeps in `widest` how far Dispatch ran ahead of the oldest unanswered unit: units sent
    // since it, itself included.
    void track_run_ahead(std::uint64_t& widest) {
        workers().on_send = [this, &widest](const ScriptedWorkers::Sent& s) {
            if (!(s.message.header.flags & message_flags::reply)) return;
            if (const auto oldest = workers().oldest_pending())
                widest = std::max(widest, value(s.message.header.seq) - *oldest + 1);
        };
    }

    // What the same source writes without Dispatch.
    static std::vector<Seen> serial(const ModuleSpec& source) {
        std::vector<Seen> seen;
        auto tray = build_tray({source}, TrayEnvironment{}, TrayRole::outer);
        tray->set_output([&](FramePtr frame) { seen.push_back({frame->stop().code(), frame->origin.input}); });
        tray->run();
        return seen;
    }
    // The sequence number of each unit Dispatch sent, in order, with whether it is a packet.
    std::vector<std::pair<std::uint64_t, bool>> units() const {
        std::vector<std::pair<std::uint64_t, bool>> seqs;
        for (const auto& s : scripted_->sent)
            if ((s.tag == Tag::packet || s.tag == Tag::metadata) && (s.message.header.flags & message_flags::reply))
                seqs.push_back({value(s.message.header.seq), s.tag == Tag::packet});
        return seqs;
    }

    DispatchContext context_;
    ScriptedWorkers* scripted_ = nullptr;
    std::unique_ptr<Tray> tray_;
    std::vector<Seen> output_;
};

// Whether `part` is how `whole` begins.
bool begins(const std::vector<Seen>& whole, const std::vector<Seen>& part) {
    return part.size() <= whole.size() && std::equal(part.begin(), part.end(), whole.begin());
}

ModuleSpec generator(int events, int metadata_every = 10) {
    return spec("Generator", {{"events", ConfigValue::of(std::to_string(events))},
                              {"packets", ConfigValue::of("true")},
                              {"metadata_every", ConfigValue::of(std::to_string(metadata_every))},
                              {"payload_bytes", ConfigValue::of("16")}});
}
std::pair<std::string, ConfigValue> param(const std::string& name, const std::string& value) {
    return {name, ConfigValue::of(value)};
}
std::size_t newest(const std::vector<ScriptedWorkers::Pending>& pending) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < pending.size(); ++i)
        if (value(pending[i].message.header.seq) > value(pending[best].message.header.seq)) best = i;
    return best;
}

}  // namespace

TEST_F(DispatchDecisions, ResultsAnsweredNewestFirstLeaveInInputOrder) {
    build(generator(40), {param("credits", "3")}, 3);
    workers().choose = newest;
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(output_, serial(generator(40)));
    // The script did answer out of order.
    EXPECT_FALSE(std::is_sorted(workers().answered.begin(), workers().answered.end()));
    for (int w = 0; w < 3; ++w)
        EXPECT_EQ(workers().ends_sent(w), std::vector<Tag>{Tag::end_of_stream}) << "worker " << w;
}

// Frames a worker made come back without their place in this run's input (the message carries
// the sample position only); rank 0 gives it back, as a later Dispatch needs it to count what
// was written.
TEST_F(DispatchDecisions, NewFramesFromWorkersGetTheirInputIndexBack) {
    build(generator(30), {}, 2);
    workers().new_frames = true;
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(output_, serial(generator(30))) << "Seen compares each frame's input index";
}

// A module before Dispatch fails: the packet Dispatch has open and the results in flight come
// from input before the failure, so they are written, as a serial run would have written them.
TEST_F(DispatchDecisions, AFailureBeforeDispatchStillWritesWhatDispatchHolds) {
    const ModuleSpec source = generator(30);
    const ModuleSpec fail = spec("Fail", {{"at", ConfigValue::of("17")}});
    output_.clear();
    std::vector<Seen> expected;
    {
        auto tray = build_tray({source, fail}, TrayEnvironment{}, TrayRole::outer);
        tray->set_output([&](FramePtr frame) { expected.push_back({frame->stop().code(), frame->origin.input}); });
        EXPECT_THROW(tray->run(), ModuleError);
    }
    build_with({source, fail}, {param("credits", "3")}, 2);
    workers().choose = newest;
    EXPECT_THROW(tray_->run(), ModuleError);
    EXPECT_EQ(output_, expected);
    EXPECT_EQ(tray_->environment().run.input_frames, expected.size());
}

TEST_F(DispatchDecisions, CreditsBoundThePacketsInFlightPerWorker) {
    for (const int credits : {1, 3}) {
        build(generator(30), {param("credits", std::to_string(credits)), param("batch", "1")}, 2);
        workers().choose = newest;
        int most = 0;
        workers().on_send = [&](const ScriptedWorkers::Sent& s) {
            if (s.tag == Tag::packet) most = std::max(most, workers().in_flight(s.worker));
        };
        EXPECT_EQ(tray_->run().ending, RunEnding::complete);
        EXPECT_EQ(most, credits) << "credits " << credits << ": every credit used, none more";
    }
}

// The oldest unit is answered last: Dispatch may not run ahead of it by more than the window.
TEST_F(DispatchDecisions, TheWindowBoundsWhatIsSentButNotWritten) {
    build(generator(30), {param("credits", "8"), param("window", "5")}, 3);
    workers().choose = newest;
    std::uint64_t widest = 0;
    track_run_ahead(widest);
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(widest, 5u);
    EXPECT_EQ(output_, serial(generator(30)));
}

// By default the window is wide (4096 units): with heavy-tailed costs, the other workers carry on
// through a straggler's whole event (1024 left 16 workers idle behind a 0.7 s event, bench:
// lognormal sigma 1.5 at 17 ranks, 0.929 of ideal against 0.946).
TEST_F(DispatchDecisions, ByDefaultWorkersRunFarAheadOfAStraggler) {
    build(generator(5000, 0), {param("credits", "8")}, 3);
    workers().choose = newest;
    std::uint64_t widest = 0;
    track_run_ahead(widest);
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(widest, 4096u);
}

// Once every packet is sent, every worker is told the input ended, behind what it holds: one done
// early runs its finish() while the others work, instead of after the last result.
TEST_F(DispatchDecisions, WorkersAreToldTheInputEndedOnceEveryPacketIsSent) {
    build(generator(40), {}, 2);
    // Worker 0 answers first whenever it can, so it runs out of work while worker 1 still has some.
    workers().choose = [](const std::vector<ScriptedWorkers::Pending>& pending) {
        for (std::size_t i = 0; i < pending.size(); ++i)
            if (pending[i].worker == 0) return i;
        return std::size_t{0};
    };
    std::vector<std::size_t> answered_when_told;
    workers().on_send = [&](const ScriptedWorkers::Sent& s) {
        if (s.tag == Tag::end_of_stream) answered_when_told.push_back(workers().answered.size());
    };
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(output_, serial(generator(40)));
    const std::size_t answers = workers().answered.size();
    ASSERT_EQ(answered_when_told.size(), 2u);
    for (const std::size_t answered : answered_when_told) EXPECT_LT(answered, answers);
    for (int w = 0; w < 2; ++w) EXPECT_EQ(workers().ends_sent(w), std::vector<Tag>{Tag::end_of_stream});
    // Worker 0 reported its end while worker 1's results were still coming.
    ASSERT_EQ(workers().ended.size(), 2u);
    EXPECT_EQ(workers().ended.front().worker, 0);
    EXPECT_LT(workers().ended.front().answered_before, answers);
}

// Events without packet structure (each is a packet, and metadata frames between them are
// broadcast), new metadata every `metadata_every` events.
ModuleSpec lone_events(int events, int metadata_every) {
    return spec("Generator", {{"events", ConfigValue::of(std::to_string(events))},
                              {"metadata_every", ConfigValue::of(std::to_string(metadata_every))},
                              {"payload_bytes", ConfigValue::of("16")}});
}

// Worker 0 runs one long packet from the start (its first): the script answers its packets only
// when nothing else is left, so worker 1 runs all the others.
std::size_t answer_worker_0_last(const std::vector<ScriptedWorkers::Pending>& pending) {
    for (std::size_t i = 0; i < pending.size(); ++i)
        if (pending[i].worker != 0 || pending[i].tag != Tag::packet) return i;
    return 0;
}

// Once every packet is sent, a packet waiting behind a long one goes to an idle worker: the busy
// worker will skip it (a claim board settles that it never started it). Metadata frames come only
// at the start here.
TEST_F(DispatchDecisions, AnIdleWorkerTakesOverAPacketWaitingBehindALongOne) {
    build_taking_back(generator(12, 100));
    workers().choose = answer_worker_0_last;
    std::vector<int> got_it;  // the workers the taken packet was sent to
    std::size_t taken_when_told = 0;
    workers().on_send = [&](const ScriptedWorkers::Sent& s) {
        if (s.tag == Tag::packet && !workers().taken_back.empty() &&
            value(s.message.header.seq) == workers().taken_back.front())
            got_it.push_back(s.worker);
        if (s.tag == Tag::end_of_stream && s.worker == 1) taken_when_told = workers().taken_back.size();
    };
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(output_, serial(generator(12, 100)));
    ASSERT_EQ(workers().taken_back.size(), 1u);
    EXPECT_EQ(got_it, std::vector<int>{1});
    EXPECT_EQ(taken_when_told, 1u) << "worker 1 is told the end only once nothing waits";
    for (int w = 0; w < 2; ++w) EXPECT_EQ(workers().ends_sent(w), std::vector<Tag>{Tag::end_of_stream});
    EXPECT_NE(context_.summary().find("1 packet taken back"), std::string::npos) << context_.summary();
}

// A worker that still owes the answer to a metadata frame (which takes no credit) is not idle: a
// packet taken back for it would wait behind that frame, where it could be taken back again.
TEST_F(DispatchDecisions, AWorkerOwingAMetadataAnswerTakesOverNothing) {
    const ModuleSpec source = lone_events(12, 8);
    build_taking_back(source);
    // Worker 0 answers the metadata frames after event 8 (the fewest packets held, the first on a
    // tie), but only once everything else is done; worker 1's first packet after them is long.
    // So at the end worker 0 holds no packet and still owes those frames, while worker 1 holds
    // its long packet and one waiting behind it.
    std::uint64_t late_metadata = 0;  // the last metadata frame sent
    std::optional<std::uint64_t> long_packet;
    workers().on_send = [&](const ScriptedWorkers::Sent& s) {
        const std::uint64_t seq = value(s.message.header.seq);
        if (s.tag == Tag::metadata && seq > 2) late_metadata = std::max(late_metadata, seq);
        if (s.tag == Tag::packet && s.worker == 1 && late_metadata > 0 && !long_packet) long_packet = seq;
    };
    workers().choose = [&](const std::vector<ScriptedWorkers::Pending>& pending) {
        auto held_back = [&](const ScriptedWorkers::Pending& p) {
            const std::uint64_t seq = value(p.message.header.seq);
            return (long_packet && seq >= *long_packet && p.worker == 1) || (p.tag == Tag::metadata && seq > 2);
        };
        for (std::size_t i = 0; i < pending.size(); ++i)
            if (!held_back(pending[i])) return i;
        for (std::size_t i = 0; i < pending.size(); ++i)  // then the metadata frames
            if (pending[i].tag == Tag::metadata) return i;
        return std::size_t{0};
    };
    std::vector<int> owed_when_taken;  // what the taking worker owed, the taken packet included
    const auto record = workers().on_send;
    workers().on_send = [&](const ScriptedWorkers::Sent& s) {
        record(s);
        if (s.tag == Tag::packet && !workers().taken_back.empty() &&
            value(s.message.header.seq) == workers().taken_back.back())
            owed_when_taken.push_back(workers().owes(s.worker));
    };
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(output_, serial(source));
    ASSERT_TRUE(long_packet) << "the script never held a packet back";
    ASSERT_FALSE(workers().taken_back.empty()) << "the script never left a packet waiting";
    for (const int owed : owed_when_taken) EXPECT_EQ(owed, 1);
}

// A packet that a metadata frame followed cannot move: the idle worker has seen that frame, and
// would run the packet after it.
TEST_F(DispatchDecisions, APacketAMetadataFrameFollowedStaysWithItsWorker) {
    const ModuleSpec source = lone_events(12, 3);
    build_taking_back(source);
    workers().choose = answer_worker_0_last;
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(output_, serial(source));
    EXPECT_TRUE(workers().taken_back.empty());
}

// take_back: false keeps every packet where it was sent.
TEST_F(DispatchDecisions, TakeBackCanBeTurnedOff) {
    build_taking_back(generator(12, 100), {param("take_back", "false")});
    workers().choose = answer_worker_0_last;
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(output_, serial(generator(12, 100)));
    EXPECT_TRUE(workers().taken_back.empty());
}

// With one worker there is nothing to overlap: it is told at the end, as before (the in-process
// worker would otherwise run its finish() before rank 0 read its last results).
TEST_F(DispatchDecisions, ALoneWorkerIsToldTheInputEndedAfterTheLastResult) {
    build(generator(20), {}, 1);
    std::size_t answered_when_told = 0;
    workers().on_send = [&](const ScriptedWorkers::Sent& s) {
        if (s.tag == Tag::end_of_stream) answered_when_told = workers().answered.size();
    };
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(answered_when_told, workers().answered.size());
}

// Rank 0 sleeps at most half as long as a short packet takes (PacketPace). The answers to
// metadata frames take microseconds, but a worker never runs on them in reserve, so they must not
// count: with them, packets of 10 ms each would have held rank 0's sleeps at 50 µs.
TEST_F(DispatchDecisions, RankZeroSleepsAreSizedFromPacketsNotMetadata) {
    // Events without packet structure: each is a packet, and the metadata between them goes to
    // every worker and is answered on its own (three frames every second event).
    const ModuleSpec source = spec("Generator", {{"events", ConfigValue::of("40")},
                                                 {"metadata_every", ConfigValue::of("2")},
                                                 {"payload_bytes", ConfigValue::of("16")}});
    build(source, {param("batch", "1")}, 2);
    workers().busy_ns = [](const ScriptedWorkers::Pending& input) {
        return input.tag == Tag::metadata ? std::int64_t{5'000} : std::int64_t{10'000'000};
    };
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(workers().lowest_sleep_cap, std::chrono::microseconds(5000));
}

// Metadata with no packet open is broadcast: every worker gets it, one answers. Metadata inside
// an open packet travels with it, and the other workers get copies that nobody answers.
TEST_F(DispatchDecisions, MetadataGoesToEveryWorkerAndOneAnswersIt) {
    const ModuleSpec source =
        spec("ListSource", {{"stops", stops({"G", "C", "P", "P", "G", "P", "Q", "D", "P", "P"})}});
    build(source, {}, 3);
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    std::map<std::uint64_t, std::pair<std::set<int>, int>> broadcast;  // seq -> workers, repliers
    std::map<std::uint64_t, std::set<int>> copies;                     // seq of the packet -> workers
    for (const auto& s : workers().sent) {
        const std::uint64_t seq = value(s.message.header.seq);
        if (s.tag == Tag::metadata && (s.message.header.flags & message_flags::reply) == 0 && !broadcast.count(seq) &&
            units().at(seq).second) {
            copies[seq].insert(s.worker);
        } else if (s.tag == Tag::metadata) {
            auto& [to, repliers] = broadcast[seq];
            to.insert(s.worker);
            repliers += (s.message.header.flags & message_flags::reply) ? 1 : 0;
        }
    }
    // Units: G, C, P, P, G, P, then the packet Q D P (carrying D), then P.
    EXPECT_EQ(broadcast.size(), 3u) << "G, C and the second G";
    for (const auto& [seq, sent] : broadcast) {
        EXPECT_EQ(sent.first.size(), 3u) << "metadata " << seq;
        EXPECT_EQ(sent.second, 1) << "metadata " << seq;
    }
    ASSERT_EQ(copies.size(), 1u);
    EXPECT_EQ(copies.begin()->first, 6u) << "the packet Q D P is unit 6";
    EXPECT_EQ(copies.begin()->second.size(), 2u) << "copies of D go to the two workers without the packet";
    EXPECT_EQ(output_, serial(source));
}

// Two packets fail; the later one's report comes first. The run ends at the earlier one, with
// every result before it written, whichever report arrived first.
TEST_F(DispatchDecisions, AbortEndsAtTheEarliestFailureEvenWhenItsReportComesSecond) {
    build(generator(30), {param("credits", "3")}, 3);
    workers().choose = newest;
    workers().failing = {8, 11};
    try {
        tray_->run();
        FAIL() << "the run did not fail";
    } catch (const ModuleError& e) {
        EXPECT_NE(std::string(e.what()).find("packet 8"), std::string::npos) << e.what();
    }
    const auto& answered = workers().answered;
    const auto at = [&](std::uint64_t seq) {
        return std::find(answered.begin(), answered.end(), seq) - answered.begin();
    };
    ASSERT_LT(at(11), at(8)) << "the script answered packet 11's failure first";
    // Units 0..7 (metadata G C D, then packets) are written, nothing from unit 8 on.
    EXPECT_TRUE(begins(serial(generator(30)), output_));
    EXPECT_EQ(output_.size(), 8u);
    EXPECT_EQ(tray_->environment().run.input_frames, 8u);
    for (int w = 0; w < 3; ++w) EXPECT_EQ(workers().ends_sent(w), std::vector<Tag>{Tag::stop}) << "worker " << w;
}

TEST_F(DispatchDecisions, SkipLeavesOutTheFailedPacketAndGoesOn) {
    build(generator(30), {param("on_error", "skip")}, 2);
    workers().choose = newest;
    workers().failing = {9};
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    std::vector<Seen> expected = serial(generator(30));
    expected.erase(expected.begin() + 9);  // unit 9 is the Q frame at input 9
    EXPECT_EQ(output_, expected);
    EXPECT_NE(context_.summary().find("1 skipped"), std::string::npos) << context_.summary();
}

// A packet's failure report may come before the results of the packets before it. It counts (and
// goes to the failure log) only when its turn to be written comes: a checkpoint taken meanwhile
// must not count it, or a run resumed from there would count it twice.
TEST_F(DispatchDecisions, ASkippedPacketCountsInACheckpointOnlyOnceWrittenPast) {
    CheckpointRecorder::recorded().clear();
    build_with(
        {generator(40)},
        {param("on_error", "skip"), param("credits", "3"), param("checkpoint_seconds", "1e-9"), param("batch", "1")}, 3,
        {spec("CheckpointRecorder", {})});
    // In order, except that packet 11's failure is answered as soon as it is sent.
    workers().choose = [](const std::vector<ScriptedWorkers::Pending>& pending) {
        for (std::size_t i = 0; i < pending.size(); ++i)
            if (value(pending[i].message.header.seq) == 11) return i;
        return std::size_t{0};
    };
    workers().failing = {11};
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    const auto& answered = workers().answered;
    const auto at = [&](std::uint64_t seq) {
        return std::find(answered.begin(), answered.end(), seq) - answered.begin();
    };
    ASSERT_LT(at(11), at(8)) << "the script answered packet 11's failure before packet 8";
    // The input the skipped packet held: what the serial run has and this one lacks.
    std::vector<Seen> expected = serial(generator(40));
    ASSERT_EQ(expected.size(), output_.size() + 1);
    const auto missing = std::mismatch(output_.begin(), output_.end(), expected.begin()).second->input;
    const auto& checkpoints = CheckpointRecorder::recorded();
    ASSERT_GT(checkpoints.size(), 10u);
    bool before = false, after = false;
    for (const Checkpoint& c : checkpoints) {
        EXPECT_EQ(c.skipped_packets, c.input_frames > missing ? 1u : 0u)
            << "checkpoint " << c.number << " after " << c.input_frames << " inputs; the packet skipped is at "
            << missing;
        (c.input_frames > missing ? after : before) = true;
    }
    EXPECT_TRUE(before && after) << "checkpoints on both sides of the skipped packet";
}

// Small packets whose work is short go several to a message (the scripted workers report 1 us
// each), and their results still leave in input order, metadata frames included; with batch: 1,
// every packet goes alone.
TEST_F(DispatchDecisions, SmallPacketsOfShortWorkGoInBatchesAndLeaveInOrder) {
    for (const std::string batch : {"32", "1"}) {
        build(generator(300), {param("batch", batch)}, 2);
        workers().choose = newest;
        EXPECT_EQ(tray_->run().ending, RunEnding::complete);
        EXPECT_EQ(output_, serial(generator(300))) << "batch " << batch;
        if (batch == "1") EXPECT_EQ(workers().batches, 0);
        else EXPECT_GT(workers().batches, 10) << "batches of packets";
    }
}

// A batch waits for its next packet at most 0.1 ms: the first frame that comes later sends it,
// even a P frame, which completes no packet (the batch used to wait for the next Q frame then).
TEST_F(DispatchDecisions, ALateFrameThatCompletesNoPacketStillSendsTheOpenBatch) {
    ConfigValue events = stops({});
    for (int i = 0; i < 800; ++i)  // packets of a Q and its P
        for (const char* stop : {"Q", "P"}) events.items.push_back(ConfigValue::of(stop));
    const ModuleSpec source = spec("ListSource", {{"stops", events}});
    build_with({source, spec("Pause", {})}, {}, 2);
    Pause::late_frames = 0;
    int batches_seen = 0;
    int sent_by_late_frames = 0;
    workers().on_send = [&](const ScriptedWorkers::Sent&) {
        if (workers().batches == batches_seen) return;  // not a new batch (or a message alone)
        batches_seen = workers().batches;
        if (Pause::pushing_late) ++sent_by_late_frames;
    };
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    EXPECT_EQ(output_, serial(source));
    ASSERT_EQ(Pause::late_frames, 20);
    EXPECT_GT(workers().batches, 20) << "packets went in batches";
    // A late frame finds a batch open unless the one before it had just filled: most do.
    EXPECT_GE(sent_by_late_frames, Pause::late_frames / 2);
}

// A failure ends the run while a batch may be open: nothing may reach a worker after its stop
// (a batch sent then would never be taken, and the job would end by MPI_Abort).
TEST_F(DispatchDecisions, NothingIsSentToAWorkerAfterItsStop) {
    for (std::uint64_t failing = 30; failing < 60; ++failing) {
        build(generator(300), {}, 2);
        workers().failing = {failing};
        workers().fail_eagerly = true;  // a failure may come while a batch is still open
        EXPECT_THROW(tray_->run(), ModuleError) << "failing " << failing;
        EXPECT_GT(workers().batches, 0) << "batches were sent before the failure";
        for (int w = 0; w < 2; ++w) {
            bool stopped = false;
            for (const ScriptedWorkers::Sent& s : workers().sent) {
                if (s.worker != w) continue;
                if (s.tag == Tag::stop) stopped = true;
                else EXPECT_FALSE(stopped) << "a " << tag_name(s.tag) << " message after the stop, failing " << failing;
            }
            EXPECT_TRUE(stopped) << "worker " << w;
        }
    }
}

// Skip never applies to metadata: a failed metadata frame, or a packet carrying one (its result
// holds the metadata's only processed copy), ends the run.
TEST_F(DispatchDecisions, SkipNeverDropsMetadata) {
    // Units: G (broadcast), Q P, Q C P (a packet carrying C), Q P.
    const ModuleSpec source = spec("ListSource", {{"stops", stops({"G", "Q", "P", "Q", "C", "P", "Q", "P"})}});
    for (const std::uint64_t failing : {std::uint64_t{0}, std::uint64_t{2}}) {
        build(source, {param("on_error", "skip")}, 2);
        workers().failing = {failing};
        EXPECT_THROW(tray_->run(), ModuleError) << "unit " << failing;
    }
    // A packet without metadata is skipped.
    build(source, {param("on_error", "skip")}, 2);
    workers().failing = {3};
    EXPECT_EQ(tray_->run().ending, RunEnding::complete);
    std::vector<Seen> expected = serial(source);
    expected.erase(expected.begin() + 6, expected.begin() + 8);
    EXPECT_EQ(output_, expected);
}

TEST_F(DispatchDecisions, TheWatchdogNamesASilentWorkerAndEndsTheJob) {
    build(generator(30), {param("packet_timeout", "0.05")}, 3);
    workers().silent = {1};
    try {
        tray_->run();
        FAIL() << "the run did not fail";
    } catch (const MpiError& e) {
        EXPECT_NE(std::string(e.what()).find("watchdog: rank 2 has sent nothing for"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(context_.abort_job);
    EXPECT_EQ(tray_->environment().run.ending, RunEnding::failed);
}

TEST_F(DispatchDecisions, ADeadWorkerEndsTheRunWithWhatIsCompleteBeforeItsPackets) {
    build(generator(40), {}, 3);
    int packets = 0;
    workers().on_send = [&](const ScriptedWorkers::Sent& s) {
        if (s.tag == Tag::packet && s.worker == 2 && ++packets == 3) workers().dead.insert(2);
    };
    try {
        tray_->run();
        FAIL() << "the run did not fail";
    } catch (const MpiError& e) {
        EXPECT_NE(std::string(e.what()).find("rank 3 died (process 1002 ended"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(context_.abort_job);
    ASSERT_GT(output_.size(), 0u) << "what came before the dead worker's packets is written";
    EXPECT_TRUE(begins(serial(generator(40)), output_));
    EXPECT_EQ(tray_->environment().run.input_frames, output_.size());
}

// With one rank the inner section runs in Dispatch's own process (LoopbackChannel): a module that
// fails there is reported through the same failure message an MPI worker sends, so skip and
// abort mean the same on one rank as on many.
TEST_F(DispatchDecisions, TheInProcessWorkerReportsAFailureAsAnMpiWorkerDoes) {
    for (const std::string on_error : {"skip", "abort"}) {
        ModuleSpec dispatch = spec("Dispatch", {param("on_error", on_error)});
        dispatch.has_inner = true;
        dispatch.inner = {spec("Fail", {{"at", ConfigValue::of("4")}})};
        DispatchContext context;  // no channel of the test's: the inner section runs in this process
        context.progress = false;
        TrayEnvironment environment;
        environment.context.put(context);
        auto tray = build_tray({generator(12), dispatch}, environment, TrayRole::outer);
        std::vector<Seen> seen;
        tray->set_output([&](FramePtr frame) { seen.push_back({frame->stop().code(), frame->origin.input}); });
        std::vector<Seen> expected = serial(generator(12));
        // Event 4 is the fifth Q frame (each event is one Q frame here).
        int events = 0;
        const auto failed = std::find_if(expected.begin(), expected.end(),
                                         [&](const Seen& s) { return s.stop == 'Q' && events++ == 4; });
        ASSERT_NE(failed, expected.end());
        if (on_error == "skip") {
            expected.erase(failed);
            EXPECT_EQ(tray->run().ending, RunEnding::complete);
            EXPECT_EQ(seen, expected);
            EXPECT_NE(context.summary().find("1 skipped"), std::string::npos) << context.summary();
        } else {
            expected.erase(failed, expected.end());
            try {
                tray->run();
                ADD_FAILURE() << "the run went on after the failure";
            } catch (const ModuleError& e) {
                EXPECT_EQ(e.module(), "Fail");
                EXPECT_NE(std::string(e.what()).find("on rank 0"), std::string::npos) << e.what();
            }
            EXPECT_EQ(seen, expected) << "everything before the failed packet, nothing after";
        }
    }
}

TEST_F(DispatchDecisions, AStopSignalStopsTheWorkersAndKeepsWhatIsComplete) {
    const std::vector<Seen> expected = serial(generator(100));
    build(generator(100), {}, 3);
    workers().choose = newest;
    int packets = 0;
    workers().on_send = [&](const ScriptedWorkers::Sent& s) {
        if (s.tag == Tag::packet && ++packets == 20) StopSignal::request(SIGTERM);
    };
    const RunState state = tray_->run();
    EXPECT_EQ(state.ending, RunEnding::stopped);
    ASSERT_GT(output_.size(), 0u);
    EXPECT_TRUE(begins(expected, output_));
    EXPECT_EQ(state.input_frames, output_.size());
    for (int w = 0; w < 3; ++w) EXPECT_EQ(workers().ends_sent(w), std::vector<Tag>{Tag::stop}) << "worker " << w;
    for (const auto& [seq, packet] : units()) EXPECT_LE(seq, 25u) << "nothing sent long after the stop";
}

// --- Which ranks each Dispatch of a pipeline gets (stage_plan.hpp).

namespace {
StageRequest stage(const std::string& name, std::int64_t workers = 0, double weight = 1.0) {
    return {name, workers, weight, {}};
}
std::vector<int> ranks_of(const Plan& plan, std::size_t s) { return plan.stages.at(s).ranks; }
}  // namespace

TEST(StagePlan, OneDispatchGetsEveryWorker) {
    const Plan plan = plan_stages({stage("Dispatch")}, 5);
    EXPECT_EQ(ranks_of(plan, 0), (std::vector<int>{1, 2, 3, 4}));
    EXPECT_TRUE(plan.idle.empty());
    EXPECT_EQ(plan.stage_of(3), 0);
    EXPECT_EQ(plan.stage_of(0), -1) << "rank 0 dispatches; it is no stage's worker";
}

TEST(StagePlan, OneRankRunsEveryStageInProcess) {
    const Plan plan = plan_stages({stage("sim", 4), stage("reco")}, 1);
    EXPECT_TRUE(ranks_of(plan, 0).empty());
    EXPECT_TRUE(ranks_of(plan, 1).empty());
}

TEST(StagePlan, UnclaimedRanksAreSharedByWeightAfterOneEach) {
    // 8 workers, weights 1:3: one each, then 6 shared 1.5 : 4.5, the tie to the earlier stage.
    Plan plan = plan_stages({stage("sim", 0, 1), stage("reco", 0, 3)}, 9);
    EXPECT_EQ(ranks_of(plan, 0), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(ranks_of(plan, 1), (std::vector<int>{4, 5, 6, 7, 8}));
    // Even weights, an odd count: the earlier stage gets the extra rank.
    plan = plan_stages({stage("a"), stage("b"), stage("c")}, 8);
    EXPECT_EQ(ranks_of(plan, 0).size(), 3u);
    EXPECT_EQ(ranks_of(plan, 1).size(), 2u);
    EXPECT_EQ(ranks_of(plan, 2).size(), 2u);
    EXPECT_EQ(plan.stage_of(7), 2);
}

TEST(StagePlan, AFixedCountIsTakenFirstAndTheRestShared) {
    const Plan plan = plan_stages({stage("sim"), stage("ordered_reco", 2), stage("last")}, 8);
    EXPECT_EQ(ranks_of(plan, 1), (std::vector<int>{4, 5}));
    EXPECT_EQ(ranks_of(plan, 0), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(ranks_of(plan, 2), (std::vector<int>{6, 7}));
    EXPECT_TRUE(plan.idle.empty());
}

TEST(StagePlan, RanksNoStageClaimsAreIdle) {
    const Plan plan = plan_stages({stage("sim", 2), stage("reco", 1)}, 6);
    EXPECT_EQ(plan.idle, (std::vector<int>{4, 5}));
    EXPECT_EQ(plan.stage_of(4), -1);
}

TEST(StagePlan, TooFewRanksSaysHowManyAreNeeded) {
    try {
        plan_stages({stage("sim", 3), stage("reco")}, 4);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("need at least 4 worker ranks (sim 3, reco at least 1), but the job has 4 "
                                             "ranks: rank 0 and 3 workers. Run it on at least 5 ranks, or on one"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(plan_stages({stage("sim"), stage("reco")}, 2), ConfigError);
    EXPECT_NO_THROW(plan_stages({stage("sim"), stage("reco")}, 3));
}

TEST(StagePlan, StagesNeedNamesOfTheirOwn) {
    try {
        plan_stages({stage("Dispatch"), stage("Dispatch")}, 5);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("two Dispatch modules are named 'Dispatch'"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(plan_stages({stage("a", 0, 0.0)}, 3), ConfigError) << "weight 0";
    EXPECT_THROW(plan_stages({stage("a", -1)}, 3), ConfigError) << "negative workers";
}

TEST(StagePlan, AModuleThatNeedsEveryEventInOrderIsRefusedInsideDispatch) {
    register_modules();
    ModuleSpec dispatch = spec("Dispatch");
    dispatch.has_inner = true;
    dispatch.inner = {spec("Sequence")};
    try {
        build_tray({generator(3), dispatch}, TrayEnvironment{}, TrayRole::outer);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(
            std::string(e.what()).find("module 'Sequence' (Sequence): must see every event in order (it numbers "
                                       "the events in the order they reach it), so it cannot run inside Dispatch"),
            std::string::npos)
            << e.what();
    }
    // Between two stages it is where it belongs.
    ModuleSpec reco = spec("Dispatch");
    reco.name = "reco";
    reco.has_inner = true;
    dispatch.inner = {};
    EXPECT_NO_THROW(build_tray({generator(3), dispatch, spec("Sequence"), reco}, TrayEnvironment{}, TrayRole::outer));
}
