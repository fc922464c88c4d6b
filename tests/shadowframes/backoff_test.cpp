// The pauses of a rank waiting for a message (mpi::Backoff), decided without sleeping.
#include <mpitray/shadowframes/mpi.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

using namespace mpitray;
using std::chrono::microseconds;

namespace {

// The pauses of a wait that polls once per pause, from `start` on, for `for_how_long`.
std::vector<microseconds> pauses(mpi::Backoff& backoff, bool expect_soon, microseconds cap, microseconds for_how_long) {
    std::vector<microseconds> taken;
    const auto start = mpi::Backoff::clock::now();
    auto now = start;
    while (now - start < for_how_long) {
        const microseconds pause = backoff.next_pause(now, expect_soon, cap);
        taken.push_back(pause);
        now += pause.count() == 0 ? microseconds(1) : pause;  // a yield takes about a microsecond
    }
    return taken;
}

}  // namespace

TEST(Backoff, ExpectingAMessageSoonItYieldsThenSleepsBriefly) {
    mpi::Backoff backoff;
    const std::vector<microseconds> taken = pauses(backoff, true, mpi::Backoff::longest_sleep, microseconds(1900));
    EXPECT_EQ(taken.front(), microseconds(0));
    EXPECT_EQ(taken.back(), microseconds(50));
}

TEST(Backoff, ExpectingNothingItsSleepsDoubleToOneMillisecond) {
    mpi::Backoff backoff;
    const std::vector<microseconds> taken = pauses(backoff, false, mpi::Backoff::longest_sleep, microseconds(5000));
    ASSERT_GE(taken.size(), 6u);
    EXPECT_EQ(std::vector<microseconds>(taken.begin(), taken.begin() + 6),
              (std::vector<microseconds>{microseconds(50), microseconds(100), microseconds(200), microseconds(400),
                                         microseconds(800), microseconds(1000)}));
    EXPECT_EQ(taken.back(), microseconds(1000));
}

TEST(Backoff, NoSleepOutlastsTheCallersCap) {
    mpi::Backoff backoff;
    for (const microseconds pause : pauses(backoff, false, microseconds(230), microseconds(5000)))
        EXPECT_LE(pause, microseconds(230));
    for (const microseconds pause : pauses(backoff, true, microseconds(230), microseconds(5000)))
        EXPECT_LE(pause, microseconds(230));
}

TEST(Backoff, ACapBelowFiftyMicrosecondsStillSleeps) {
    // Shorter sleeps would cost the core more than they save.
    mpi::Backoff backoff;
    EXPECT_EQ(backoff.next_pause(mpi::Backoff::clock::now(), false, microseconds(5)), microseconds(50));
}

TEST(Backoff, AMessageStartsTheNextWaitAfresh) {
    mpi::Backoff backoff;
    pauses(backoff, false, mpi::Backoff::longest_sleep, microseconds(5000));
    backoff.reset();
    EXPECT_EQ(backoff.next_pause(mpi::Backoff::clock::now(), false), microseconds(50));
}
