// The claim board: rank 0 and a worker agree on who runs a waiting packet, exactly one of them.
#include <mpitray/core/error.hpp>
#include <mpitray/shadowframes/claim_board.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

namespace mpitray {
namespace {

// A board for `workers` workers, and worker `worker`'s view of it, attached.
struct Attached {
    ClaimBoard board;
    ClaimBoard worker;
};
Attached attached(int workers, int worker) {
    ClaimBoard board = ClaimBoard::create(workers);
    std::optional<ClaimBoard> view = ClaimBoard::attach(board.path(), board.nonce(), worker);
    if (!view) throw Error("worker " + std::to_string(worker) + " could not attach");
    return {std::move(board), std::move(*view)};
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

TEST(ClaimBoard, NothingIsTakenFromAWorkerThatNeverAttached) {
    ClaimBoard board = ClaimBoard::create(2);
    EXPECT_FALSE(board.attached(0));
    EXPECT_FALSE(board.waiting(0, 5));
    EXPECT_FALSE(board.withdraw(0, 5));
}

TEST(ClaimBoard, APacketNotYetStartedIsTakenBackAndSkipped) {
    auto [board, worker] = attached(2, 1);
    EXPECT_TRUE(board.attached(1));
    EXPECT_FALSE(board.attached(0));
    EXPECT_TRUE(worker.start(1, 3));  // running 3, holding 7
    EXPECT_TRUE(board.waiting(1, 7));
    EXPECT_FALSE(board.waiting(1, 3));
    EXPECT_TRUE(board.withdraw(1, 7));
    EXPECT_FALSE(board.waiting(1, 7));
    EXPECT_FALSE(board.withdraw(1, 9)) << "one packet at a time";
    EXPECT_FALSE(worker.start(1, 7));
    EXPECT_TRUE(worker.start(1, 12));  // what comes after runs, and can be taken again
    EXPECT_TRUE(board.waiting(1, 13));
}

TEST(ClaimBoard, OnceTheWorkerSkippedAPacketItsNextCanBeTakenToo) {
    // Three packets held (more credits): 7 is taken while 3 runs; once the worker has come to 7
    // and skipped it, 9, still waiting behind 3, can be taken as well.
    auto [board, worker] = attached(1, 0);
    ASSERT_TRUE(worker.start(0, 3));
    ASSERT_TRUE(board.withdraw(0, 7));
    EXPECT_FALSE(board.waiting(0, 9)) << "one mark at a time";
    ASSERT_FALSE(worker.start(0, 7));
    EXPECT_TRUE(board.waiting(0, 9));
    EXPECT_TRUE(board.withdraw(0, 9));
    EXPECT_FALSE(worker.start(0, 9));
}

TEST(ClaimBoard, APacketAlreadyStartedStaysWithItsWorker) {
    auto [board, worker] = attached(1, 0);
    EXPECT_TRUE(worker.start(0, 0));  // seq 0 is a packet like any other
    EXPECT_FALSE(board.withdraw(0, 0));
    EXPECT_TRUE(worker.start(0, 4));
    EXPECT_FALSE(board.withdraw(0, 4));
    EXPECT_FALSE(board.withdraw(0, 2)) << "an earlier packet is done";
}

TEST(ClaimBoard, ATakenPacketsMarkOutlivesTheEarlierPacketsStarts) {
    // Three packets held (more credits): 9 is taken while 4 runs and 6 waits; 6 still runs.
    auto [board, worker] = attached(1, 0);
    ASSERT_TRUE(worker.start(0, 4));
    ASSERT_TRUE(board.withdraw(0, 9));
    EXPECT_TRUE(worker.start(0, 6));
    EXPECT_FALSE(worker.start(0, 9));
}

TEST(ClaimBoard, AttachingChecksTheBoardsNameAndNonce) {
    ClaimBoard board = ClaimBoard::create(2);
    EXPECT_FALSE(ClaimBoard::attach(board.path(), board.nonce() + 1, 0));
    EXPECT_FALSE(ClaimBoard::attach(board.path() + "-none", board.nonce(), 0));
    EXPECT_FALSE(ClaimBoard::attach(board.path(), board.nonce(), 2)) << "no such worker";
    EXPECT_FALSE(board.attached(0));
    ASSERT_TRUE(ClaimBoard::attach(board.path(), board.nonce(), 0));
    EXPECT_FALSE(ClaimBoard::attach(board.path(), board.nonce(), 0)) << "attached once";
}

TEST(ClaimBoard, TheCreatorRemovesTheFile) {
    std::string path;
    {
        ClaimBoard board = ClaimBoard::create(3);
        path = board.path();
        EXPECT_TRUE(exists(path));
        std::optional<ClaimBoard> worker = ClaimBoard::attach(path, board.nonce(), 2);
        ASSERT_TRUE(worker);
        worker.reset();  // a worker leaving does not remove it
        EXPECT_TRUE(exists(path));
        ClaimBoard moved = std::move(board);
        EXPECT_TRUE(exists(path));
    }
    EXPECT_FALSE(exists(path));
    EXPECT_THROW(ClaimBoard::create(0), Error);
}

TEST(ClaimBoard, BoardsOfAKilledRankZeroAreRemovedByTheNextRun) {
    // A board file named for a process that cannot exist (pid_max is at most 2^22).
    const std::string stale = "/dev/shm/mpitray." + std::to_string(::getuid()) + ".claims.4194305.0";
    const std::string live =
        "/dev/shm/mpitray." + std::to_string(::getuid()) + ".claims." + std::to_string(::getpid()) + ".999999";
    for (const std::string& path : {stale, live}) {
        std::FILE* file = std::fopen(path.c_str(), "w");
        ASSERT_NE(file, nullptr) << path;
        std::fclose(file);
    }
    // (Any run starting on this host meanwhile removes the stale one as well.)
    ClaimBoard board = ClaimBoard::create(1);
    EXPECT_FALSE(exists(stale));
    EXPECT_TRUE(exists(live)) << "a live process's board stays";
    ::unlink(live.c_str());
}

TEST(ClaimBoard, ExactlyOneSideWinsEachRace) {
    // Packet by packet, rank 0 tries to take it back while the worker starts it: every packet is
    // either run or skipped, never both, never neither. One packet in three is a true race (the
    // two let go together, each after a short random spin); in the others the worker starts
    // first, or rank 0 tries first, so both outcomes occur even when the threads share a core.
    auto [board, worker] = attached(1, 0);
    constexpr std::uint64_t packets = 6000;  // each a handoff between the threads, which may share a core
    enum Turn { race, worker_first, rank0_first };
    auto turn = [](std::uint64_t seq) { return Turn(seq % 3); };
    std::vector<char> ran(packets, 0), taken(packets, 0);
    std::atomic<std::uint64_t> started{0};  // the worker is done with the packets before this
    std::atomic<std::uint64_t> ready{0};    // rank 0 is about to try packet ready - 1
    std::atomic<std::uint64_t> tried{0};    // rank 0 is done with the packets before this
    auto wait_for = [](const std::atomic<std::uint64_t>& value, std::uint64_t at_least) {
        while (value.load(std::memory_order_acquire) < at_least) std::this_thread::yield();
    };
    auto spin = [](std::mt19937& random) {
        for (auto i = random() % 64; i > 0; --i) std::atomic_signal_fence(std::memory_order_seq_cst);
    };
    ASSERT_TRUE(worker.start(0, 0));
    ran[0] = 1;
    started.store(1, std::memory_order_release);
    std::thread rank0([&] {
        std::mt19937 random(1);
        for (std::uint64_t seq = 1; seq < packets; ++seq) {
            wait_for(started, turn(seq) == worker_first ? seq + 1 : seq);
            ready.store(seq + 1, std::memory_order_release);
            spin(random);
            taken[seq] = board.withdraw(0, seq) ? 1 : 0;
            tried.store(seq + 1, std::memory_order_release);
        }
    });
    std::mt19937 random(2);
    for (std::uint64_t seq = 1; seq < packets; ++seq) {
        if (turn(seq) == race) wait_for(ready, seq + 1);
        if (turn(seq) == rank0_first) wait_for(tried, seq + 1);
        spin(random);
        ran[seq] = worker.start(0, seq) ? 1 : 0;
        started.store(seq + 1, std::memory_order_release);
    }
    rank0.join();
    std::uint64_t both = 0, neither = 0, raced = 0, won_by_rank0 = 0;
    for (std::uint64_t seq = 0; seq < packets; ++seq) {
        both += ran[seq] && taken[seq];
        neither += !ran[seq] && !taken[seq];
        if (turn(seq) == race) {
            ++raced;
            won_by_rank0 += taken[seq];
        }
        if (seq > 0 && turn(seq) == worker_first) {
            EXPECT_TRUE(ran[seq]) << seq;
        }
        if (turn(seq) == rank0_first) {
            EXPECT_TRUE(taken[seq]) << seq;
        }
    }
    EXPECT_EQ(both, 0u);
    EXPECT_EQ(neither, 0u);
    std::printf("true races: rank 0 won %llu of %llu\n", static_cast<unsigned long long>(won_by_rank0),
                static_cast<unsigned long long>(raced));
}

}  // namespace
}  // namespace mpitray
