#include <mpitray/core/pipeline.hpp>
#include <mpitray/core/standard_types.hpp>
#include <mpitray/core/tray_builder.hpp>
#include <mpitray/modules/builtin.hpp>

#include <gtest/gtest.h>

#include <map>

using namespace mpitray;

namespace {

// Runs a pipeline given as YAML and returns the frames that come out of its last module.
std::vector<FramePtr> run(const std::string& yaml, std::optional<std::uint64_t> events = std::nullopt) {
    register_builtin_modules();
    const Pipeline pipeline = parse_pipeline(yaml, "test.yaml");
    TrayEnvironment env;
    env.seed = pipeline.seed;
    auto tray = build_tray(pipeline.tray, env, TrayRole::outer);
    std::vector<FramePtr> out;
    tray->set_output([&](FramePtr f) { out.push_back(std::move(f)); });
    tray->run(events);
    return out;
}

std::string stops_of(const std::vector<FramePtr>& frames) {
    std::string s;
    for (const auto& f : frames) s += f->stop().code();
    return s;
}

std::string config_error_of(const std::string& yaml) {
    try {
        run(yaml);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(Generator, EmitsMetadataThenEventsAndChangesMetadataMidStream) {
    const auto frames =
        run("tray:\n- module: Generator\n  params: {events: 5, metadata_every: 2, payload_bytes: 100}\n");
    EXPECT_EQ(stops_of(frames), "GCDPPGCDPPGCDP");
    EXPECT_EQ(frames[0]->at<std::int64_t>("GeometryVersion"), 0);
    EXPECT_EQ(frames[5]->at<std::int64_t>("GeometryVersion"), 1);
    EXPECT_NE(frames[0]->at<std::vector<double>>("ModulePositions"),
              frames[5]->at<std::vector<double>>("ModulePositions"));
    EXPECT_EQ(frames[3]->at<std::vector<std::uint8_t>>("Payload").size(), 100u);
    EXPECT_EQ(frames[4]->at<EventHeader>("EventHeader"), (EventHeader{1, 1, 0}));
}

TEST(Generator, ZeroEventsGivesOnlyMetadataAndPacketsGivesQFrames) {
    EXPECT_EQ(stops_of(run("tray:\n- module: Generator\n  params: {events: 0}\n")), "GCD");
    EXPECT_EQ(stops_of(run("tray:\n- module: Generator\n  params: {events: 2, packets: true}\n")), "GCDQQ");
}

TEST(Generator, IsReproducibleForASeedAndDiffersAcrossSeeds) {
    const std::string yaml = "tray:\n- module: Generator\n  params: {events: 3}\n";
    const auto a = run("seed: 1\n" + yaml), b = run("seed: 1\n" + yaml), c = run("seed: 2\n" + yaml);
    EXPECT_EQ(a[3]->at<std::vector<std::uint8_t>>("Payload"), b[3]->at<std::vector<std::uint8_t>>("Payload"));
    EXPECT_NE(a[3]->at<std::vector<std::uint8_t>>("Payload"), c[3]->at<std::vector<std::uint8_t>>("Payload"));
}

TEST(Splitter, PushesNPFramesThatSeeTheirQ) {
    const auto frames =
        run("tray:\n- module: Generator\n  params: {events: 2, packets: true}\n"
            "- module: Splitter\n  params: {n: 3}\n"
            "- module: Filter\n");  // mixing happens at a module's input
    EXPECT_EQ(stops_of(frames), "GCDQPPPQPPP");
    EXPECT_EQ(frames[6]->at<EventHeader>("EventHeader"), (EventHeader{1, 0, 2}));
    EXPECT_TRUE(frames[6]->has("Energy")) << "the P frame sees its Q's keys";
    EXPECT_FALSE(frames[6]->has_own("Energy"));
}

TEST(Filter, DropsEveryKthEventOrARandomFraction) {
    const auto every =
        run("tray:\n- module: Generator\n  params: {events: 9}\n- module: Filter\n  params: {drop_every: 3}\n");
    EXPECT_EQ(stops_of(every), "GCDPPPPPP") << "events 0, 3, 6 dropped";
    const auto random =
        run("tray:\n- module: Generator\n  params: {events: 2000, payload_bytes: 0}\n"
            "- module: Filter\n  params: {drop_fraction: 0.25}\n");
    const double kept = double(random.size() - 3) / 2000;
    EXPECT_NEAR(kept, 0.75, 0.04);
}

TEST(Work, StoresTheCostItDrewAndKeepsTheMean) {
    const auto frames =
        run("tray:\n- module: Generator\n  params: {events: 400, payload_bytes: 0}\n"
            "- module: Work\n  params: {cost: lognormal, mean_ms: 0.01, sigma: 1.0, mode: spin}\n");
    double sum = 0;
    int n = 0;
    for (const auto& f : frames)
        if (f->stop() == Stop::physics()) {
            sum += f->at<double>("WorkCostMs");
            ++n;
        }
    EXPECT_EQ(n, 400);
    EXPECT_NEAR(sum / n, 0.01, 0.002);
}

TEST(Fail, ThrowsOnTheChosenEvent) {
    try {
        run("tray:\n- module: Generator\n  params: {events: 5}\n- module: Fail\n  params: {at: 3}\n");
        FAIL() << "expected an error";
    } catch (const ModuleError& e) {
        EXPECT_EQ(e.module(), "Fail");
        EXPECT_NE(e.frame().find("event 3"), std::string::npos) << e.frame();
    }
}

TEST(Fail, WithEveryThrowsOnEveryNthEventFromAt) {
    // Events 3 and 7 are chosen; with 3 dropped before it, the first failure is on 7, not 5.
    try {
        run("tray:\n- module: Generator\n  params: {events: 9}\n- module: Filter\n  params: {drop_events: [3]}\n"
            "- module: Fail\n  params: {at: 3, every: 4}\n");
        FAIL() << "expected an error";
    } catch (const ModuleError& e) {
        EXPECT_NE(e.frame().find("event 7"), std::string::npos) << e.frame();
    }
    EXPECT_NE(config_error_of("tray:\n- module: Generator\n- module: Fail\n  params: {every: 4}\n").find("needs at"),
              std::string::npos);
    EXPECT_NE(config_error_of("tray:\n- module: Generator\n- module: Fail\n  params: {at: 1, every: 0}\n")
                  .find("must be 1 or more"),
              std::string::npos);
}

TEST(BuiltinModules, RejectBadValuesBeforeRunning) {
    EXPECT_NE(config_error_of("tray:\n- module: Generator\n- module: Work\n  params: {mode: jog}\n")
                  .find("test.yaml:3: module 'Work' (Work): parameter 'mode' must be 'sleep' or 'spin', not 'jog' "
                        "(test.yaml:4)"),
              std::string::npos)
        << config_error_of("tray:\n- module: Generator\n- module: Work\n  params: {mode: jog}\n");
    EXPECT_NE(config_error_of("tray:\n- module: Generator\n  params: {events: -1}\n")
                  .find("parameter 'events' must be 0 to 9007199254740992 (2^53), not -1"),
              std::string::npos);
    EXPECT_NE(config_error_of("tray:\n- module: Generator\n- module: Filter\n  params: {drop_fraction: 2}\n")
                  .find("between 0 and 1"),
              std::string::npos);
    EXPECT_NE(
        config_error_of("tray:\n- module: Generator\n- module: Fail\n  params: {action: explode}\n").find("action"),
        std::string::npos);
    EXPECT_NE(
        config_error_of("tray:\n- module: Generator\n- module: Filter\n  params: {stops: [QQ]}\n").find("not a stop"),
        std::string::npos);
}

// Numbers the type allows but the module cannot use are refused when it is configured, naming
// the parameter and the range, instead of overflowing or failing later at run time.
TEST(BuiltinModules, RefuseNumbersOutOfTheirRange) {
    const auto refused = [](const std::string& yaml, const std::string& message) {
        const std::string error = config_error_of(yaml);
        EXPECT_NE(error.find(message), std::string::npos) << yaml << "\n  gave: " << error;
    };
    refused("tray:\n- module: Generator\n  params: {payload_bytes: 9223372036854775807}\n",
            "parameter 'payload_bytes' must be 0 to 1073741824 (1 GiB), not 9223372036854775807 (test.yaml:3)");
    refused("tray:\n- module: Generator\n  params: {metadata_every: 9223372036854775807}\n",
            "parameter 'metadata_every' must be 0 to 9007199254740992 (2^53)");
    refused("tray:\n- module: Generator\n- module: Work\n  params: {mean_ms: 1e300}\n",
            "parameter 'mean_ms' must be 0 to 86400000 (a day), not 1e+300");
    refused("tray:\n- module: Generator\n- module: Work\n  params: {slow_ms: 1e20}\n",
            "parameter 'slow_ms' must be 0 to 86400000");
    refused("tray:\n- module: Generator\n- module: Work\n  params: {sigma: 1e10}\n",
            "parameter 'sigma' must be 0 to 10");
    refused("tray:\n- module: Generator\n- module: Splitter\n  params: {n: 9223372036854775807}\n",
            "parameter 'n' must be 0 to 9007199254740992 (2^53)");
    refused("tray:\n- module: Generator\n- module: Filter\n  params: {drop_every: 9223372036854775807}\n",
            "parameter 'drop_every' must be 0 to 9007199254740992 (2^53)");
    refused("tray:\n- module: Generator\n- module: Fail\n  params: {action: exit, exit_code: 4294967299}\n",
            "parameter 'exit_code' must be 0 to 255");
}
