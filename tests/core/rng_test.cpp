#include <mpitray/core/rng.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using mpitray::Rng;

namespace {

template <class Draw>
std::pair<double, double> mean_and_variance(Draw draw, int n = 200000) {
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
        const double x = draw();
        sum += x;
        sum2 += x * x;
    }
    const double mean = sum / n;
    return {mean, sum2 / n - mean * mean};
}

}  // namespace

TEST(Rng, SameSeedSameSequence) {
    Rng a(17), b(17), c(18);
    std::vector<std::uint64_t> xa, xb, xc;
    for (int i = 0; i < 100; ++i) {
        xa.push_back(a.next());
        xb.push_back(b.next());
        xc.push_back(c.next());
    }
    EXPECT_EQ(xa, xb);
    EXPECT_NE(xa, xc);
}

TEST(Rng, ReseedRestartsTheSequenceAndForgetsTheSpareNormal) {
    Rng rng(5);
    const double first = rng.normal();
    rng.reseed(5);
    EXPECT_EQ(rng.normal(), first);
}

TEST(Rng, StreamSeedsDependOnEveryPart) {
    const auto base = Rng::stream_seed(1, 2, 3, 4);
    EXPECT_EQ(base, Rng::stream_seed(1, 2, 3, 4));
    EXPECT_NE(base, Rng::stream_seed(0, 2, 3, 4));
    EXPECT_NE(base, Rng::stream_seed(1, 3, 3, 4));
    EXPECT_NE(base, Rng::stream_seed(1, 2, 4, 4));
    EXPECT_NE(base, Rng::stream_seed(1, 2, 3, 5));
    EXPECT_NE(Rng::key_of("Work"), Rng::key_of("Filter"));
}

TEST(Rng, UniformIsInRangeWithTheRightMoments) {
    Rng rng(1);
    auto [mean, variance] = mean_and_variance([&] {
        const double u = rng.uniform();
        EXPECT_TRUE(u >= 0.0 && u < 1.0);
        return u;
    });
    EXPECT_NEAR(mean, 0.5, 0.005);
    EXPECT_NEAR(variance, 1.0 / 12, 0.002);
}

TEST(Rng, NormalHasTheRightMoments) {
    Rng rng(2);
    auto [mean, variance] = mean_and_variance([&] { return rng.normal(3.0, 2.0); });
    EXPECT_NEAR(mean, 3.0, 0.02);
    EXPECT_NEAR(variance, 4.0, 0.05);
}

TEST(Rng, ExponentialHasTheRightMean) {
    Rng rng(3);
    auto [mean, variance] = mean_and_variance([&] { return rng.exponential(10.0); });
    EXPECT_NEAR(mean, 10.0, 0.1);
    EXPECT_NEAR(variance, 100.0, 3.0);
}

TEST(Rng, LognormalHasTheRightMean) {
    Rng rng(4);
    const double mu = 1.0, sigma = 0.5;
    auto [mean, variance] = mean_and_variance([&] { return rng.lognormal(mu, sigma); });
    EXPECT_NEAR(mean, std::exp(mu + sigma * sigma / 2), 0.02);
}

TEST(Rng, PoissonHasTheRightMomentsForSmallAndLargeMeans) {
    for (double lambda : {0.5, 4.0, 12.0, 250.0}) {
        Rng rng(6);
        auto [mean, variance] = mean_and_variance([&] { return double(rng.poisson(lambda)); });
        EXPECT_NEAR(mean, lambda, 0.02 * lambda + 0.01) << "mean " << lambda;
        EXPECT_NEAR(variance, lambda, 0.05 * lambda + 0.02) << "mean " << lambda;
    }
    Rng rng(7);
    EXPECT_EQ(rng.poisson(0.0), 0u);
}
