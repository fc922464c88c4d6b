#pragma once
// Google Benchmark's console output, followed by the ratios that matter: each contender's
// throughput over its baseline's, both measured in this run. Timings on a shared machine drift;
// a ratio from one run is what is comparable.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mpitray::bench {

struct RatioPair {
    std::string contender;  // benchmark name, e.g. "Encode/4096"
    std::string baseline;   // e.g. "Memcpy/4096"
};

class RatioReporter : public benchmark::ConsoleReporter {
public:
    explicit RatioReporter(std::vector<RatioPair> pairs) : pairs_(std::move(pairs)) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            // With repetitions, use the median; without, the single run.
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
            // Bytes per second, or items (fills, merges) per second where nothing is counted in bytes.
            auto it = run.counters.find("bytes_per_second");
            if (it == run.counters.end()) it = run.counters.find("items_per_second");
            if (it != run.counters.end())
                throughput_[run.run_name.function_name + "/" + run.run_name.args] = it->second;
        }
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        std::printf("\n%-36s %-36s %8s\n", "contender", "baseline (same run)", "ratio");
        for (const RatioPair& pair : pairs_) {
            const auto c = throughput_.find(pair.contender);
            const auto b = throughput_.find(pair.baseline);
            if (c == throughput_.end() || b == throughput_.end() || b->second <= 0) continue;
            std::printf("%-36s %-36s %8.3f\n", pair.contender.c_str(), pair.baseline.c_str(), c->second / b->second);
        }
    }

private:
    std::vector<RatioPair> pairs_;
    std::map<std::string, double> throughput_;
};

// Runs the registered benchmarks with a RatioReporter; the main() of each benchmark program.
inline int run_with_ratios(int argc, char** argv, std::vector<RatioPair> pairs) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    RatioReporter reporter(std::move(pairs));
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}

}  // namespace mpitray::bench
