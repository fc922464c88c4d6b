// WeightedHistogram: Boost.Histogram binning with exact bins, merged the same in any order.
#include <mpitray/core/weighted_histogram.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

using mpitray::WeightedHistogram;

TEST(WeightedHistogram, CountsAndWeighsFillsPerBinWithUnderAndOverflow) {
    WeightedHistogram h(4, 0.0, 2.0);
    EXPECT_EQ(h.edges(), (std::vector<double>{0.0, 0.5, 1.0, 1.5, 2.0}));
    h.fill(0.1);
    h.fill(0.2, 2.0);
    h.fill(1.9, 0.5);
    h.fill(-3);
    h.fill(2.0);  // the upper edge belongs to the overflow bin
    EXPECT_EQ(h.at(0).fills, 2);
    EXPECT_EQ(h.at(0).weights.value(), 3.0);
    EXPECT_EQ(h.at(0).squared_weights.value(), 5.0);
    EXPECT_EQ(h.at(3).weights.value(), 0.5);
    EXPECT_EQ(h.at(-1).fills, 1);
    EXPECT_EQ(h.at(4).fills, 1);
    EXPECT_THROW(h.at(5), std::out_of_range);
    EXPECT_THROW(WeightedHistogram(0, 0, 1), std::invalid_argument);
    EXPECT_THROW(WeightedHistogram(10, 1, 1), std::invalid_argument);
    EXPECT_THROW(WeightedHistogram(10, 0, std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST(WeightedHistogram, FillsSplitAcrossWorkersMergeToTheSerialHistogramBitForBit) {
    std::mt19937_64 random(7);
    std::normal_distribution<double> x(0.0, 1.0);
    std::lognormal_distribution<double> weight(0.0, 1.5);
    std::vector<std::pair<double, double>> fills;
    for (int i = 0; i < 20000; ++i) fills.emplace_back(x(random), weight(random));
    WeightedHistogram serial(20, -3, 3);
    for (const auto& [v, w] : fills) serial.fill(v, w);
    for (int round = 0; round < 3; ++round) {
        std::shuffle(fills.begin(), fills.end(), random);
        std::vector<WeightedHistogram> workers(5, WeightedHistogram(20, -3, 3));
        for (const auto& [v, w] : fills) workers[random() % workers.size()].fill(v, w);
        std::shuffle(workers.begin(), workers.end(), random);
        WeightedHistogram merged(20, -3, 3);
        for (const WeightedHistogram& part : workers) merged.merge(part);
        EXPECT_EQ(merged, serial);
        for (int i = -1; i <= 20; ++i) EXPECT_EQ(merged.at(i).weights.value(), serial.at(i).weights.value()) << i;
    }
    EXPECT_THROW(serial.merge(WeightedHistogram(20, -3, 4)), std::invalid_argument);
}

TEST(WeightedHistogram, ItsStateComesBackAndADamagedOneIsRefused) {
    WeightedHistogram h(3, -1, 1);
    h.fill(0.5, 0.25);
    h.fill(7);
    const WeightedHistogram back = WeightedHistogram::from_state(h.state());
    EXPECT_EQ(back, h);
    EXPECT_EQ(back.edges(), h.edges());
    std::vector<std::int64_t> state = h.state();
    state.pop_back();
    EXPECT_THROW(WeightedHistogram::from_state(state), std::invalid_argument);
    EXPECT_THROW(WeightedHistogram::from_state({0, 0, 0}), std::invalid_argument);
    state = h.state();
    state.push_back(0);
    EXPECT_THROW(WeightedHistogram::from_state(state), std::invalid_argument);
}
