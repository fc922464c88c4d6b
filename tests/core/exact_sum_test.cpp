// ExactSum: exact sums of doubles, the same in any order and any grouping, rounded once.
#include <mpitray/core/exact_sum.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

using mpitray::ExactSum;

namespace {

ExactSum sum_of(const std::vector<double>& values) {
    ExactSum sum;
    for (double v : values) sum.add(v);
    return sum;
}

// Doubles of every size, both signs, subnormals included.
std::vector<double> wild_values(std::size_t n, unsigned seed) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> mantissa(0.5, 1.0);
    std::uniform_int_distribution<int> exponent(-1074, 1000);
    std::vector<double> values;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = std::ldexp(mantissa(random), exponent(random));
        values.push_back(random() % 2 ? v : -v);
    }
    return values;
}

}  // namespace

TEST(ExactSum, KeepsWhatFloatingPointAdditionLoses) {
    EXPECT_EQ(sum_of({1e100, 1.0, -1e100}).value(), 1.0);
    double naive = 0;
    for (int i = 0; i < 10; ++i) naive += 0.1;
    EXPECT_NE(naive, 1.0);
    EXPECT_EQ(sum_of(std::vector<double>(10, 0.1)).value(), 1.0) << "the exact sum of ten 0.1s rounds to 1";
    const double max = std::numeric_limits<double>::max();
    EXPECT_EQ(sum_of({max, max, -max}).value(), max) << "no overflow in between";
    EXPECT_EQ(sum_of({max, max}).value(), std::numeric_limits<double>::infinity());
    const double tiny = std::numeric_limits<double>::denorm_min();
    EXPECT_EQ(sum_of({tiny, tiny, tiny}).value(), 3 * tiny);
    EXPECT_EQ(sum_of({}).value(), 0.0);
    EXPECT_TRUE(sum_of({2.5, -2.5}).empty());
}

TEST(ExactSum, TwoValuesRoundAsIeeeAdditionDoes) {
    // The sum of two doubles is correctly rounded by the hardware: the same answer, for values
    // of every size (subnormals, near-overflow, cancelling, ties between two doubles).
    const std::vector<double> a = wild_values(20000, 1), b = wild_values(20000, 2);
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(sum_of({a[i], b[i]}).value(), a[i] + b[i]) << a[i] << " + " << b[i];
        const double near = a[i] * (1 + 0x1p-30);
        ASSERT_EQ(sum_of({a[i], -near}).value(), a[i] - near) << a[i] << " - " << near;
        // Of similar size, where most of the rounding happens.
        const double similar = a[i] * std::ldexp(std::fabs(b[i]) / std::ldexp(1.0, std::ilogb(b[i])), int(i % 5) - 2);
        ASSERT_EQ(sum_of({a[i], similar}).value(), a[i] + similar) << a[i] << " + " << similar;
        ASSERT_EQ(sum_of({a[i], -similar}).value(), a[i] - similar) << a[i] << " - " << similar;
    }
    EXPECT_EQ(sum_of({1.0, 0x1p-53}).value(), 1.0) << "a tie rounds to even";
    EXPECT_EQ(sum_of({1.0 + 0x1p-52, 0x1p-53}).value(), 1.0 + 0x1p-51) << "a tie rounds to even";
    EXPECT_EQ(sum_of({1.0, 0x1p-53, 0x1p-105}).value(), 1.0 + 0x1p-52) << "past the tie rounds up";
}

TEST(ExactSum, AnyOrderAndAnyGroupingGiveTheSameBits) {
    std::vector<double> values = wild_values(30000, 3);
    // Values near each other too, where the order matters most for naive sums.
    std::mt19937_64 random(4);
    std::lognormal_distribution<double> weight(0.0, 2.0);
    for (int i = 0; i < 30000; ++i) values.push_back(weight(random));
    const ExactSum whole = sum_of(values);
    double naive_forward = 0, naive_shuffled = 0;
    for (double v : values) naive_forward += v;
    for (int round = 0; round < 5; ++round) {
        std::shuffle(values.begin(), values.end(), random);
        if (round == 0)
            for (double v : values) naive_shuffled += v;
        // Split into parts of random sizes, summed apart and merged in random order: workers.
        std::vector<ExactSum> parts(7);
        for (double v : values) parts[random() % parts.size()].add(v);
        std::shuffle(parts.begin(), parts.end(), random);
        ExactSum merged;
        for (const ExactSum& part : parts) merged.merge(part);
        EXPECT_EQ(merged, whole);
        EXPECT_EQ(merged.state(), whole.state());
        EXPECT_EQ(merged.value(), whole.value());
        EXPECT_EQ(sum_of(values).value(), whole.value());
    }
    EXPECT_NE(naive_forward, naive_shuffled) << "the test would not notice an order-dependent sum";
}

TEST(ExactSum, InfinitiesAndNansGiveWhatIeeeAdditionGives) {
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(sum_of({1.0, inf}).value(), inf);
    EXPECT_EQ(sum_of({1.0, -inf}).value(), -inf);
    EXPECT_TRUE(std::isnan(sum_of({inf, -inf}).value()));
    EXPECT_TRUE(std::isnan(sum_of({1.0, std::nan("")}).value()));
    ExactSum a = sum_of({inf}), b = sum_of({-inf});
    a.merge(b);
    EXPECT_TRUE(std::isnan(a.value()));
}

TEST(ExactSum, ItsStateComesBackAndADamagedOneIsRefused) {
    const ExactSum sum = sum_of(wild_values(1000, 5));
    EXPECT_EQ(ExactSum::from_state(sum.state()), sum);
    EXPECT_EQ(ExactSum::from_state(sum.state()).value(), sum.value());
    EXPECT_EQ(ExactSum::from_state(ExactSum{}.state()).value(), 0.0);
    EXPECT_THROW(ExactSum::from_state({0, 0}), std::invalid_argument);
    EXPECT_THROW(ExactSum::from_state({-1, 0, 0, 0}), std::invalid_argument);
    EXPECT_THROW(ExactSum::from_state({0, 0, 0, 67, 1, 1}), std::invalid_argument) << "past the last limb";
    EXPECT_THROW(ExactSum::from_state({0, 0, 0, 0, std::int64_t(1) << 40}), std::invalid_argument);
}
