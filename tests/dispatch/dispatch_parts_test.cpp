// Dispatch's parts one by one: cutting the input, choosing workers, what is in flight, how long
// rank 0 may sleep, the watchdog's decisions and the failure log. DispatchDecisions (dispatch_test.cpp) drives them
// together.
#include <mpitray/core/frame.hpp>
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/summary_set.hpp>
#include <mpitray/dispatch/dispatch_metrics.hpp>
#include <mpitray/dispatch/failure_log.hpp>
#include <mpitray/dispatch/finish_frames.hpp>
#include <mpitray/dispatch/in_flight.hpp>
#include <mpitray/dispatch/packet_pace.hpp>
#include <mpitray/dispatch/packetizer.hpp>
#include <mpitray/dispatch/watchdog.hpp>
#include <mpitray/dispatch/worker_scheduler.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/hdf5.hpp>
#include <mpitray/io/output_rewind.hpp>

#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <random>
#include <string>

using namespace mpitray;

namespace {

FramePtr frame(char stop, std::uint64_t input) {
    auto f = make_frame(Stop(stop));
    f->origin.input = input;
    f->origin.position = input;
    return f;
}

// A stream of stops, each frame's input index its place in the string.
std::vector<FramePtr> stream(const std::string& stops) {
    std::vector<FramePtr> frames;
    for (char c : stops) frames.push_back(frame(c, frames.size()));
    return frames;
}

// What a packetizer makes of a stream, written as text: "[QPP]" a packet, "<G>" a metadata frame
// for every worker, "(G)" a metadata frame travelling inside its packet.
std::string cut(const std::string& stops) {
    Packetizer packetizer(Stop('Q'), StopSet({"G", "C", "D"}));
    std::string out;
    auto write = [&](const Packet& packet) {
        if (packet.empty()) return;
        out += '[';
        std::size_t m = 0;
        for (const FramePtr& f : packet.frames) {
            const bool inside = m < packet.metadata.size() && packet.metadata[m] == f;
            if (inside) ++m;
            out += inside ? std::string("(") + f->stop().code() + ")" : std::string(1, f->stop().code());
        }
        out += ']';
    };
    for (FramePtr f : stream(stops)) {
        Packetizer::Cut c = packetizer.add(std::move(f));
        write(c.packet);
        if (c.broadcast) out += std::string("<") + c.broadcast->stop().code() + ">";
    }
    write(packetizer.close());
    return out;
}

}  // namespace

TEST(Packetizer, APacketIsAPacketStopFrameAndWhatFollowsIt) { EXPECT_EQ(cut("GCDQPPQPQ"), "<G><C><D>[QPP][QP][Q]"); }

TEST(Packetizer, MetadataAfterThePacketStartTravelsInsideIt) {
    EXPECT_EQ(cut("GQCPPQP"), "<G>[Q(C)PP][QP]");
    EXPECT_EQ(cut("QDC"), "[Q(D)(C)]");
}

TEST(Packetizer, WithoutPacketStructureEachFrameIsAPacket) {
    EXPECT_EQ(cut("GPPIP"), "<G>[P][P][I][P]");
    EXPECT_EQ(cut("PPQP"), "[P][P][QP]");
}

TEST(Packetizer, TheOpenPacketNamesItsFirstInputUntilClosed) {
    Packetizer packetizer(Stop('Q'), StopSet({"G"}));
    EXPECT_FALSE(packetizer.open_first_input());
    const auto frames = stream("GQP");
    for (const FramePtr& f : frames) packetizer.add(f);
    EXPECT_EQ(packetizer.open_first_input(), 1u);
    EXPECT_EQ(packetizer.close().frames.size(), 2u);
    EXPECT_FALSE(packetizer.open_first_input());
    EXPECT_TRUE(packetizer.close().empty());
}

TEST(WorkerScheduler, DynamicGivesThePacketToTheWorkerHoldingFewest) {
    WorkerScheduler scheduler(3, Schedule::dynamic, 2);
    std::vector<int> order;
    for (int i = 0; i < 6; ++i) {
        const auto w = scheduler.pick();
        ASSERT_TRUE(w);
        scheduler.sent(*w);
        order.push_back(*w);
    }
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 0, 1, 2})) << "ties go to the worker after the last chosen";
    EXPECT_FALSE(scheduler.pick()) << "every credit is used";
    EXPECT_EQ(scheduler.total_in_flight(), 6);
    scheduler.answered(1);
    scheduler.answered(1);
    scheduler.answered(2);
    EXPECT_EQ(scheduler.pick(), 1) << "the one holding fewest, not the next in turn";
    EXPECT_EQ(scheduler.peak_in_flight(), 6);
}

TEST(WorkerScheduler, RoundRobinWaitsForTheWorkerWhoseTurnItIs) {
    WorkerScheduler scheduler(2, Schedule::round_robin, 1);
    scheduler.sent(*scheduler.pick());  // worker 0
    scheduler.sent(*scheduler.pick());  // worker 1
    scheduler.answered(1);
    EXPECT_FALSE(scheduler.pick()) << "worker 0's turn, and it holds its one credit";
    scheduler.answered(0);
    EXPECT_EQ(scheduler.pick(), 0);
}

TEST(WorkerScheduler, MetadataIsAnsweredByTheLeastBusyAndAnUnheldAnswerIsRefused) {
    WorkerScheduler scheduler(3, Schedule::dynamic, 4);
    scheduler.sent(0);
    scheduler.sent(2);
    EXPECT_EQ(scheduler.least_busy(), 1);
    EXPECT_THROW(scheduler.answered(1), Error);
    EXPECT_THROW(WorkerScheduler(0, Schedule::dynamic, 1), Error);
}

namespace {

// The tenth percentile of `times`.
double tenth_percentile(std::vector<double> times) {
    std::sort(times.begin(), times.end());
    return times[times.size() / 10];
}

}  // namespace

TEST(PacketPace, BeforeAnyResultWaitingOnlyYieldsAndSleepsAreNotLimited) {
    const PacketPace pace;
    EXPECT_TRUE(pace.result_soon(16));
    EXPECT_EQ(pace.longest_sleep(), std::chrono::microseconds::max());
}

TEST(PacketPace, EqualPacketsOfTenMillisecondsLetRankZeroSleepLong) {
    PacketPace pace;
    for (int i = 0; i < 200; ++i) pace.observe(10'000'000);
    EXPECT_NEAR(pace.average_ns(), 10e6, 1e3);
    EXPECT_FALSE(pace.result_soon(16));  // one result every 625 µs
    EXPECT_TRUE(pace.result_soon(64));   // every 156 µs
    EXPECT_GE(pace.longest_sleep(), std::chrono::microseconds(1000));
}

TEST(PacketPace, WithLognormalTimesSleepsStayBelowHalfOfTheShortPackets) {
    // Mean 10 ms, sigma 1.5, as the lognormal benchmark: a tenth of the packets take under 0.5 ms.
    std::mt19937_64 random(7);
    const double sigma = 1.5;
    std::lognormal_distribution<double> cost(std::log(10e6) - sigma * sigma / 2, sigma);
    PacketPace pace;
    std::vector<double> seen;
    for (int i = 0; i < 4800; ++i) {
        const double ns = cost(random);
        seen.push_back(ns);
        pace.observe(std::int64_t(ns));
    }
    const double p10 = tenth_percentile(seen);
    EXPECT_GT(pace.short_packet_ns(), 0.6 * p10);
    EXPECT_LT(pace.short_packet_ns(), 1.6 * p10);
    EXPECT_LT(pace.longest_sleep(), std::chrono::microseconds(400));
    EXPECT_FALSE(pace.result_soon(16));
}

TEST(PacketPace, AFewShortTimesAtTheStartDoNotHoldTheSleepsDown) {
    PacketPace pace;
    for (int i = 0; i < 3; ++i) pace.observe(5'000);
    EXPECT_EQ(pace.longest_sleep(), std::chrono::microseconds(2));  // below Backoff's 50 µs floor
    for (int i = 0; i < int(PacketPace::recent_count); ++i) pace.observe(10'000'000);
    EXPECT_GE(pace.longest_sleep(), std::chrono::microseconds(1000));
}

TEST(PacketPace, FollowsPacketsThatBecomeTwentyTimesShorterWithinAHundred) {
    PacketPace pace;
    for (int i = 0; i < 200; ++i) pace.observe(10'000'000);
    for (int i = 0; i < 100; ++i) pace.observe(500'000);
    EXPECT_LT(pace.short_packet_ns(), 600e3);
    EXPECT_LE(pace.longest_sleep(), std::chrono::microseconds(300));
}

TEST(InFlightTable, UnitsAnsweredInAnyOrderAreFoundAndForgotten) {
    InFlightTable table;
    for (std::uint64_t seq = 5; seq < 9; ++seq) {
        InFlight& unit = table.add(seq);
        unit.worker = int(seq % 2);
        unit.sent_ns = std::int64_t(seq) * 100;
    }
    EXPECT_THROW(table.add(11), Error) << "sequence numbers are handed out in order";
    EXPECT_EQ(table.held_by(1), (std::vector<std::uint64_t>{5, 7}));
    EXPECT_EQ(table.oldest_sent_to(0), 600);
    EXPECT_EQ(table.take(6).worker, 0);
    EXPECT_EQ(table.find(6), nullptr);
    EXPECT_THROW(table.take(6), Error);
    EXPECT_EQ(table.oldest_sent_to(0), 800);
    table.take(5);
    table.take(8);
    EXPECT_NE(table.find(7), nullptr);
    EXPECT_EQ(table.size(), 1u);
    table.take(7);
    EXPECT_TRUE(table.empty());
    EXPECT_FALSE(table.oldest_sent_to(1));
    table.add(9);  // the next after the last one added, though the table emptied
    EXPECT_NE(table.find(9), nullptr);
}

TEST(Watchdog, ASilentWorkerHoldingPacketsIsNamedWithThem) {
    constexpr std::int64_t s = 1'000'000'000;
    InFlightTable table;
    table.add(0).worker = 1;
    table.add(1).worker = 0;
    table.add(2).worker = 1;
    for (std::uint64_t seq = 0; seq < 3; ++seq) table.find(seq)->sent_ns = 10 * s;
    Watchdog watchdog(5.0);
    const std::vector<std::int64_t> heard{14 * s, 12 * s};
    EXPECT_FALSE(watchdog.silent_holder(14 * s, table, heard)) << "within packet_timeout";
    const auto silence = watchdog.silent_holder(17 * s, table, heard);
    ASSERT_TRUE(silence);
    EXPECT_EQ(silence->worker, 1) << "heard from at 12 s: silent 5 s; worker 0 only 3 s";
    EXPECT_EQ(silence->held, (std::vector<std::uint64_t>{0, 2}));
    EXPECT_EQ(watchdog.describe(*silence, "rank 2 on node7"),
              "watchdog: rank 2 on node7 has sent nothing for 5.0 s while holding packets 0, 2 (packet_timeout 5 s); "
              "it may be stuck, or its link cut. Writing what is complete and ending the job");
    EXPECT_FALSE(Watchdog(0).silent_holder(1000 * s, table, heard)) << "0: off";
}

TEST(Watchdog, AfterTheEndAWorkerThatNeverReportsIsNamed) {
    constexpr std::int64_t s = 1'000'000'000;
    Watchdog watchdog(2.0);
    const std::vector<std::int64_t> heard{0, 9 * s};
    const std::vector<bool> ended{true, false};
    EXPECT_FALSE(watchdog.silent_after_end(10 * s, 8 * s, heard, ended));
    const auto silence = watchdog.silent_after_end(11 * s, 8 * s, heard, ended);
    ASSERT_TRUE(silence);
    EXPECT_EQ(silence->worker, 1);
    EXPECT_NE(watchdog.describe(*silence, "rank 2").find("since it was told the input ended"), std::string::npos);
}

TEST(Watchdog, LivenessIsAskedAtMostEveryTenMilliseconds) {
    Watchdog watchdog(0);
    EXPECT_TRUE(watchdog.liveness_due(50'000'000));
    EXPECT_FALSE(watchdog.liveness_due(55'000'000));
    EXPECT_TRUE(watchdog.liveness_due(60'000'000));
}

// An empty directory of this test process's own.
std::filesystem::path fresh_directory(const std::string& prefix) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / (prefix + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

void close_complete(FailureLog& log, std::uint64_t input_frames, std::uint64_t skipped_packets) {
    RunState state;
    state.ending = RunEnding::complete;
    state.input_frames = input_frames;
    log.close(state, skipped_packets);
}

// The stops of the frames a reader has left, as a string.
std::string stops_of(io::FrameFileReader& reader) {
    std::string stops;
    while (FramePtr f = reader.next()) stops += f->stop().code();
    return stops;
}

// Metadata frames are told apart by content: a resumed run's frames are new objects, and the log
// it goes on writing holds the ones its predecessor logged (FailureLog.AResumedLogGoesOnFromItsCheckpoint).
TEST(FailureLog, HoldsEachSkippedPacketAfterItsMetadataEachOnce) {
    const std::filesystem::path dir = fresh_directory("failure_log_");
    const std::string path = (dir / "log.h5").string();
    TrayEnvironment environment;
    environment.seed = 3;
    {
        FailureLog log(path, environment, StopSet({"G", "C"}));
        const auto frames = stream("GCQPQPCQP");                // 0 G, 1 C, 2 Q, 3 P, 4 Q, 5 P, 6 C, 7 Q, 8 P
        frames[6]->put("CalibrationVersion", std::int64_t{2});  // a new calibration
        log.metadata_sent(frames[0]);
        log.metadata_sent(frames[1]);
        auto unit = [&](std::size_t first, std::size_t n) {
            InFlight u;
            u.input.assign(frames.begin() + long(first), frames.begin() + long(first + n));
            u.first_input = first;
            u.context = log.context();
            return u;
        };
        const InFlight a = unit(2, 2), b = unit(4, 2);
        log.metadata_sent(frames[6]);
        const InFlight c = unit(7, 2);
        EXPECT_EQ(c.context.size(), 2u);
        EXPECT_EQ(c.context[1], frames[6]) << "the latest of each stop, in stream order";
        log.write(a, FailureReport{Seq{2}, 1, "node1", "Work", "Q frame 0", "bad"});
        log.write(b, FailureReport{Seq{3}, 2, "node2", "Work", "Q frame 1", "worse"});
        log.write(c, FailureReport{Seq{5}, 1, "node1", "Work", "Q frame 2", "worst"});
        close_complete(log, 9, 3);
    }
    io::FrameFileReader reader(path);
    const std::string stops = stops_of(reader);
    EXPECT_EQ(stops, "GCQPQPCQP") << "each metadata frame once, before the first packet sent after it";
    EXPECT_EQ(reader.info().skipped_packets, 3u);
    EXPECT_EQ(reader.info().failure_log, path);
    const hdf5::Handle file = hdf5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path);
    const std::string failures = hdf5::string_attribute(file.get(), "failures");
    EXPECT_NE(failures.find("packet 3 (2 frames from input position 4): module 'Work' failed on Q frame 1 on rank 2 "
                            "(node2): worse\n"),
              std::string::npos)
        << failures;
    std::filesystem::remove_all(dir);
}

// A killed run's log, rewound to its checkpoint and resumed: the packet skipped after the
// checkpoint is gone (the resumed run skips it again), and the metadata frames logged before are
// not logged again, though the resumed run's frames are new objects.
TEST(FailureLog, AResumedLogGoesOnFromItsCheckpoint) {
    const std::filesystem::path dir = fresh_directory("failure_log_resumed_");
    const std::string path = (dir / "log.h5").string();
    TrayEnvironment environment;
    environment.seed = 3;
    const StopSet metadata({"G", "C"});
    auto unit = [](const std::vector<FramePtr>& frames, std::size_t first, const FailureLog& log) {
        InFlight u;
        u.input.assign(frames.begin() + long(first), frames.begin() + long(first + 2));
        u.first_input = first;
        u.context = log.context();
        return u;
    };
    auto report = [](std::uint64_t seq) { return FailureReport{Seq{seq}, 1, "node1", "Work", "Q frame", "bad"}; };
    const Checkpoint at{1, 4, 1, {}};
    {
        const auto frames = stream("GCQPQPQP");
        FailureLog log(path, environment, metadata);
        log.metadata_sent(frames[0]);
        log.metadata_sent(frames[1]);
        log.write(unit(frames, 2, log), report(2));
        log.checkpoint(at);
        log.write(unit(frames, 4, log), report(3));
        log.checkpoint(Checkpoint{2, 6, 2, {}});  // not in the run's every output: resumed from 1
    }                                             // killed: not closed
    io::rewind_output(io::read_left_output(path), 1);
    {
        environment.resume_from = std::make_shared<const Checkpoint>(at);
        const auto frames = stream("GCQPQPQP");  // replayed: the same content, new objects
        FailureLog log(path, environment, metadata);
        log.metadata_sent(frames[0]);
        log.metadata_sent(frames[1]);
        log.write(unit(frames, 4, log), report(5));
        log.write(unit(frames, 6, log), report(6));
        close_complete(log, 8, 3);
    }
    io::FrameFileReader reader(path);
    const std::string stops = stops_of(reader);
    EXPECT_EQ(stops, "GCQPQPQP") << "the packets in order, the metadata once";
    EXPECT_EQ(reader.info().skipped_packets, 3u);
    const hdf5::Handle file = hdf5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path);
    const std::string failures = hdf5::string_attribute(file.get(), "failures");
    EXPECT_NE(failures.find("packet 2 (2 frames from input position 2)"), std::string::npos) << failures;
    EXPECT_EQ(failures.find("packet 3 "), std::string::npos) << "lost with the kill: " << failures;
    EXPECT_NE(failures.find("packet 5 (2 frames from input position 4)"), std::string::npos) << failures;
    EXPECT_NE(failures.find("packet 6 (2 frames from input position 6)"), std::string::npos) << failures;
    std::filesystem::remove_all(dir);
}

TEST(DispatchMetrics, MemoryIsSummedByHostWithRankZeroOnItsOwn) {
    DispatchMetrics m;
    m.host = "node1";
    m.peak_rss_bytes = 40'000'000;
    m.pss_bytes = 30'000'000;
    auto worker = [](int rank, const char* host, std::uint64_t pss, std::uint64_t shmem) {
        WorkerReport w;
        w.rank = rank;
        w.host = host;
        w.memory = {pss + 10'000'000, pss, shmem};
        return w;
    };
    // A 100 MB table shared by the three workers of node1: each counts a third of it.
    m.workers = {worker(1, "node1", 53'333'333, 33'333'333), worker(2, "node1", 53'333'333, 33'333'333),
                 worker(3, "node1", 53'333'334, 33'333'334), worker(4, "node2", 120'000'000, 100'000'000)};
    const std::vector<HostMemory> hosts = memory_by_host(m);
    ASSERT_EQ(hosts.size(), 2u);
    EXPECT_EQ(hosts[0].host, "node1");
    EXPECT_EQ(hosts[0].ranks, 4) << "rank 0 and three workers";
    EXPECT_EQ(hosts[0].pss_bytes, 190'000'000u);
    EXPECT_EQ(hosts[0].pss_shmem_bytes, 100'000'000u) << "the shared table once";
    EXPECT_EQ(hosts[1].ranks, 1);
    const std::string summary = format_dispatch_summary(m);
    EXPECT_NE(summary.find("memory: rank 0 peak RSS 40.0 MB, PSS 30.0 MB; PSS by host: node1 (4 ranks) 190.0 MB, "
                           "100.0 MB of it shared; node2 (1 rank) 120.0 MB, 100.0 MB of it shared\n"),
              std::string::npos)
        << summary;
    const std::string json = dispatch_metrics_json(m);
    DispatchMetrics one_rank = m;  // the in-process worker is rank 0 itself: counted once
    one_rank.workers = {worker(0, "node1", 30'000'000, 0)};
    EXPECT_EQ(memory_by_host(one_rank).front().ranks, 1);
    EXPECT_EQ(memory_by_host(one_rank).front().pss_bytes, 30'000'000u);
    EXPECT_NE(
        json.find("{\"host\": \"node1\", \"ranks\": 4, \"pss_bytes\": 190000000, \"pss_shmem_bytes\": 100000000}"),
        std::string::npos)
        << json;
}

TEST(DispatchMetrics, EachTableGenerationSaysWhoBuiltItAndHowManyMappedIt) {
    DispatchMetrics m;
    m.host = "node1";
    auto worker = [](int rank, const char* host, std::vector<TableRecord> tables) {
        WorkerReport w;
        w.rank = rank;
        w.host = host;
        w.tables = std::move(tables);
        return w;
    };
    // Node-shared: on each node one worker built each generation, the others mapped it.
    m.workers = {
        worker(1, "node1", {{"photons", 1, 8'000'000, true, true, 2.5}, {"photons", 2, 8'000'000, false, true, 3}}),
        worker(2, "node1", {{"photons", 1, 8'000'000, false, true, 2.4}, {"photons", 2, 8'000'000, true, true, 3.1}}),
        worker(3, "node2", {{"photons", 1, 8'000'000, true, true, 2.6}, {"photons", 2, 8'000'000, true, true, 2.9}})};
    const std::vector<TableGeneration> generations = table_generations(m);
    ASSERT_EQ(generations.size(), 2u);
    EXPECT_EQ(generations[0].generation, 1);
    ASSERT_EQ(generations[0].builds.size(), 2u) << "once per node";
    EXPECT_EQ(generations[0].builds[1].host, "node2");
    EXPECT_EQ(generations[0].mapped, 1);
    EXPECT_EQ(generations[0].longest_wait, 2.4);
    EXPECT_EQ(generations[1].builds[0].rank, 2);
    const std::string summary = format_dispatch_summary(m);
    EXPECT_NE(summary.find("  table 'photons' generation 1: 8.0 MB, node-shared; built 2 times by rank 1 (node1) in "
                           "2.50 s, rank 3 (node2) in 2.60 s; mapped by 1 more rank (waited up to 2.40 s)\n"),
              std::string::npos)
        << summary;
    const std::string json = dispatch_metrics_json(m);
    EXPECT_NE(
        json.find("{\"name\": \"photons\", \"generation\": 2, \"bytes\": 8000000, \"shared\": true, \"built_by\": "
                  "[{\"rank\": 2, \"host\": \"node1\", \"seconds\": 3.100000}, {\"rank\": 3, \"host\": "
                  "\"node2\", \"seconds\": 2.900000}], \"mapped_by\": 1, \"longest_wait_seconds\": 3.000000}"),
        std::string::npos)
        << json;
}

TEST(FinishFrames, OneWorkersFramesComeOutAsTheyWentIn) {
    SummarySet a;
    a.counter("n").add(3);
    const auto other = std::make_shared<Frame>(Stop('I'));
    const std::vector<FramePtr> sent{a.frame("A"), other};
    const FinishFrames out = merge_finish_frames({sent});
    ASSERT_EQ(out.frames.size(), 2u);
    EXPECT_EQ(encode_frame(*out.frames[0]).size(), encode_frame(*sent[0]).size());
    EXPECT_EQ(out.frames[0]->at<Summary>("n"), sent[0]->at<Summary>("n"));
    EXPECT_EQ(out.frames[1], other);
    EXPECT_EQ(out.unmerged, 0u);
}

TEST(FinishFrames, EachModulesSummariesMergeIntoOneFrameAndOtherFramesAreCountedAsUnmerged) {
    auto worker = [](std::int64_t n, bool declares_b) {
        SummarySet a, b;
        a.counter("n").add(n);
        b.sum("w").add(double(n));
        std::vector<FramePtr> frames{a.frame("A"), std::make_shared<Frame>(Stop('I'))};
        if (declares_b) frames.push_back(b.frame("B"));
        return frames;
    };
    // The second worker never declared B's summaries (it saw no frame that would): B still merges.
    const FinishFrames out = merge_finish_frames({worker(1, true), worker(2, false), worker(4, true), {}});
    std::vector<std::string> order;
    for (const FramePtr& f : out.frames)
        order.push_back(summary_frame_module(*f).empty() ? "I" : summary_frame_module(*f));
    EXPECT_EQ(order, (std::vector<std::string>{"A", "I", "B", "I", "I"}));
    EXPECT_EQ(out.frames[0]->at<Summary>("n").get<Counter>()->value(), 7);
    EXPECT_EQ(out.frames[2]->at<Summary>("w").get<WeightedSum>()->sum(), 5.0);
    EXPECT_EQ(out.unmerged, 3u);
}
