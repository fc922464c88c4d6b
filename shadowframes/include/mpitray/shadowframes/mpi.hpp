#pragma once
// The one place raw MPI calls go through (with dispatch/ for its own channel): a session that
// initializes and finalizes MPI explicitly, checks that turn an MPI error into an MpiError, and a
// communicator that sends protocol messages from their own buffers and receives them with a
// matched probe, so sizes are never guessed. Messages may exceed 2 GiB.
#include <mpitray/core/error.hpp>
#include <mpitray/shadowframes/message.hpp>

#include <mpi.h>

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#ifndef MPITRAY_BACKOFF_SPIN_US
#define MPITRAY_BACKOFF_SPIN_US 200
#endif

namespace mpitray::mpi {

// Whether this process was started by an MPI launcher (mpirun, srun --mpi=pmix, ...). Without
// one, mpitray runs without initializing MPI at all.
bool launched_by_mpi();

// This process's rank as its launcher tells it in the environment, before (or without) MPI
// initialisation: OMPI_COMM_WORLD_RANK (Open MPI's mpirun), PMIX_RANK (PMIx launchers),
// PMI_RANK (MPICH's Hydra), SLURM_PROCID (srun), the first one set; 0 when none is.
int launcher_rank();

// How many ranks the launcher started, from the environment in the same way: OMPI_COMM_WORLD_SIZE,
// PMI_SIZE, SLURM_NTASKS, the first one set; 1 when none is.
int launcher_size();

// Throws MpiError("<what>: <MPI's error string>") unless rc is MPI_SUCCESS.
void check(int rc, const char* what);

class Session {
public:
    Session(int* argc, char*** argv);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }
    const std::string& host() const noexcept { return host_; }
    // Ends every rank of the job: only for a rank that cannot go on and cannot tell the others.
    [[noreturn]] void abort(int code) const;

private:
    void meet_before_finalize() noexcept;

    int rank_ = 0;
    int size_ = 1;
    std::string host_;
};

struct Received {
    int source = 0;
    Tag tag{};
    SharedBuffer bytes;
};

class Communicator {
public:
    explicit Communicator(MPI_Comm comm = MPI_COMM_WORLD);
    ~Communicator();
    Communicator(const Communicator&) = delete;
    Communicator& operator=(const Communicator&) = delete;

    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }
    MPI_Comm get() const noexcept { return comm_; }

    // Starts sending; the message's buffers stay alive until the send completes.
    void send(int destination, Tag tag, OutgoingMessage message);
    // Completes the sends that are done; returns how many are still under way.
    std::size_t progress();
    // Waits for every send to complete.
    void flush();
    // Like flush(), for at most `seconds`: false if some send has not completed by then (its
    // receiver is dead, stopped or no longer receiving).
    bool flush_for(double seconds);

    // A message from `source` (or any), if one has arrived.
    std::optional<Received> try_receive(int source = MPI_ANY_SOURCE);
    // Waits for a message, sleeping between looks so a waiting rank leaves the core to others.
    Received receive(int source = MPI_ANY_SOURCE);

private:
    // `keep` owns `bytes`.
    void start_send(int destination, Tag tag, std::span<const char> bytes, std::shared_ptr<const void> keep);
    // Receives `size` bytes at `at`: the `matched` message, or else the next gap from `source`.
    void receive_into(char* at, std::size_t size, MPI_Message* matched, int source);

    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
    // Sends under way: requests_[i] sends bytes that sending_[i] keeps alive until it completes. Kept
    // side by side so one MPI_Testsome looks at all of them (a test per request cost the
    // dispatcher 15% of its time).
    std::vector<MPI_Request> requests_;
    std::vector<std::shared_ptr<const void>> sending_;
    std::vector<int> completed_;  // scratch for MPI_Testsome
};

// The ranks of `comm` for which `member` is true, as a communicator of their own, in comm's rank
// order; null for the others. Collective over comm (every rank calls it, member or not). The new
// communicator lives until MPI ends.
std::unique_ptr<Communicator> sub_communicator(const Communicator& comm, bool member);

// Every rank's `mine` (a host name, a token: at most MPI_MAX_PROCESSOR_NAME - 1 characters,
// longer is cut), by rank. Collective.
std::vector<std::string> gather_text(const Communicator& comm, const std::string& mine);
// Every rank's process id, by rank (collective).
std::vector<int> process_ids(const Communicator& comm);

// Startup agreement: every rank passes its configuration error (empty if none); every rank gets
// back the first one, by rank order, prefixed with the rank when it is not rank 0's. Collective.
std::string first_error_across_ranks(const Communicator& comm, const std::string& mine);

// Pauses between polls. When the caller expects the next message soon, it first only yields the
// core for a while (200 µs): the message is microseconds away, and a sleep costs more than the
// message. Then it sleeps briefly (50 µs) for up to 2 ms, and after that, or at once when the
// caller expects nothing soon, sleeps that double up to 1 ms, so an idle rank costs almost no CPU.
// The caller may cap the sleeps lower: a message that arrives during a sleep waits for its end.
//
// The caller's expectation must not come from the gaps this rank itself observed: those include
// its own sleeps, and two ranks that both sleep see long gaps and keep sleeping (a 4 KiB exchange
// on 2 ranks fell from 200k to 800 frames/s that way). Rank 0 uses the workers' reported busy time.
class Backoff {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::chrono::microseconds longest_sleep{1000};

    void wait(bool expect_soon = true, std::chrono::microseconds cap = longest_sleep);
    // The pause wait() takes at `now`: zero to only yield the core, else a sleep of that long.
    std::chrono::microseconds next_pause(clock::time_point now, bool expect_soon = true,
                                         std::chrono::microseconds cap = longest_sleep);
    // A message arrived.
    void reset() noexcept;

private:
    static constexpr std::chrono::microseconds spin_for_{MPITRAY_BACKOFF_SPIN_US};
    static constexpr std::chrono::microseconds short_sleeps_for_{2000};  // then sleeps grow
    static constexpr std::chrono::microseconds initial_{50};
    std::chrono::microseconds delay_ = initial_;
    clock::time_point idle_since_{};
};

}  // namespace mpitray::mpi
