// What summaries cost: a fill of an exact sum or of a WeightedHistogram against the plain double
// sum and Boost.Histogram's weight_storage (which sums doubles, in the order of the fills), and a
// merge of two 100-bin histograms, and of eight workers' summary frames as rank 0 does it.
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/summary_set.hpp>

#include "ratio_reporter.hpp"

#include <boost/histogram.hpp>

#include <random>
#include <vector>

using namespace mpitray;

namespace {

constexpr int bins = 100;

struct Fill {
    double x, w;
};

const std::vector<Fill>& fills() {
    static const std::vector<Fill> values = [] {
        std::mt19937_64 random(1);
        std::normal_distribution<double> x(0.0, 1.0);
        std::lognormal_distribution<double> w(0.0, 1.5);
        std::vector<Fill> out(1 << 16);
        for (Fill& f : out) f = {x(random), w(random)};
        return out;
    }();
    return values;
}

auto boost_histogram() {
    namespace bh = boost::histogram;
    return bh::make_histogram_with(bh::weight_storage(), bh::axis::regular<double>(bins, -3.0, 3.0));
}

void count_items(benchmark::State& state, std::size_t per_iteration) {
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(per_iteration));
}

void DoubleSum(benchmark::State& state) {
    for (auto _ : state) {
        double sum = 0;
        for (const Fill& f : fills()) sum += f.w;
        benchmark::DoNotOptimize(sum);
    }
    count_items(state, fills().size());
}

void ExactSumAdd(benchmark::State& state) {
    for (auto _ : state) {
        ExactSum sum;
        for (const Fill& f : fills()) sum.add(f.w);
        benchmark::DoNotOptimize(sum.value());
    }
    count_items(state, fills().size());
}

void BoostWeightFill(benchmark::State& state) {
    for (auto _ : state) {
        auto h = boost_histogram();
        for (const Fill& f : fills()) h(f.x, boost::histogram::weight(f.w));
        benchmark::DoNotOptimize(h.at(0));
    }
    count_items(state, fills().size());
}

void HistogramFill(benchmark::State& state) {
    for (auto _ : state) {
        WeightedHistogram h(bins, -3.0, 3.0);
        for (const Fill& f : fills()) h.fill(f.x, f.w);
        benchmark::DoNotOptimize(h.at(0).fills);
    }
    count_items(state, fills().size());
}

void BoostWeightMerge(benchmark::State& state) {
    auto a = boost_histogram(), b = boost_histogram();
    for (const Fill& f : fills()) b(f.x, boost::histogram::weight(f.w));
    for (auto _ : state) {
        a += b;
        benchmark::DoNotOptimize(a.at(0));
    }
    count_items(state, 1);
}

void HistogramMerge(benchmark::State& state) {
    WeightedHistogram a(bins, -3.0, 3.0), b(bins, -3.0, 3.0);
    for (const Fill& f : fills()) b.fill(f.x, f.w);
    for (auto _ : state) {
        a.merge(b);
        benchmark::DoNotOptimize(a.at(0).fills);
    }
    count_items(state, 1);
}

// Rank 0's part at the end of a run: eight workers' summary frames (a count, a sum, a 100-bin
// histogram each) decoded from their bytes and merged into one.
void MergeWorkerFrames(benchmark::State& state) {
    std::vector<ByteView> sent;
    for (int w = 0; w < 8; ++w) {
        SummarySet set;
        for (std::size_t i = std::size_t(w); i < fills().size(); i += 8) {
            set.counter("n").add();
            set.sum("w").add(fills()[i].w);
            set.histogram("x", bins, -3.0, 3.0).fill(fills()[i].x, fills()[i].w);
        }
        sent.push_back(encode_frame(*set.frame("M")));
    }
    for (auto _ : state) {
        std::vector<FramePtr> frames;
        for (const ByteView& bytes : sent) frames.push_back(decode_frame(bytes));
        benchmark::DoNotOptimize(merge_summary_frames(frames));
    }
    count_items(state, 1);
}

}  // namespace

BENCHMARK(DoubleSum);
BENCHMARK(ExactSumAdd);
BENCHMARK(BoostWeightFill);
BENCHMARK(HistogramFill);
BENCHMARK(BoostWeightMerge);
BENCHMARK(HistogramMerge);
BENCHMARK(MergeWorkerFrames);

int main(int argc, char** argv) {
    return bench::run_with_ratios(argc, argv,
                                  {{"ExactSumAdd/", "DoubleSum/"},
                                   {"HistogramFill/", "BoostWeightFill/"},
                                   {"HistogramMerge/", "BoostWeightMerge/"}});
}
