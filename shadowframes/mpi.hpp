#pragma once
// The one place raw MPI calls go through (with dispatch/ for its own channel): a session that
// initializes and finalizes MPI explicitly, checks that turn an MPI error into an MpiError, and a
// communicator that sends protocol messages without copying their frames and receives them with a
// matched probe, so sizes are never guessed. Messages may exceed 2 GiB.
#include <mpitray/core/error.hpp>
#include <mpitray/shadowframes/message.hpp>

#include <mpi.h>

#include <chrono>
#include <list>
#include <optional>
#include <string>
#include <vector>

#ifndef MPITRAY_BACKOFF_SPIN_US
#define MPITRAY_BACKOFF_SPIN_US 200
#endif

namespace mpitray::mpi {

// Whether this process was started by an MPI launcher (mpirun, srun --mpi=pmix, ...). Without
// one, mpitray runs without initializing MPI at all.
bool launched_by_mpi();

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

    // A message from `source` (or any), if one has arrived.
    std::optional<Received> try_receive(int source = MPI_ANY_SOURCE);
    // Waits for a message, sleeping between looks so a waiting rank leaves the core to others.
    Received receive(int source = MPI_ANY_SOURCE);

private:
    struct PendingSend {
        MPI_Request request = MPI_REQUEST_NULL;
        OutgoingMessage message;
        SharedBuffer flat;  // small messages are sent from one contiguous copy
    };
    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
    std::list<PendingSend> pending_;
};

// Every rank's host name, by rank. Collective.
std::vector<std::string> host_names(const Communicator& comm, const std::string& mine);

// Startup agreement: every rank passes its configuration error (empty if none); every rank gets
// back the first one, by rank order, prefixed with the rank when it is not rank 0's. Collective.
std::string first_error_across_ranks(const Communicator& comm, const std::string& mine);

// Pauses between polls. While messages come fast (their average gap is short), it first only
// yields the core for a while, since the next message is microseconds away and a sleep would
// cost more than the message; when they come slowly it sleeps at once. Sleeps grow to a cap, so
// an idle rank costs almost no CPU.
class Backoff {
public:
    void wait();
    // A message arrived.
    void reset() noexcept;

private:
    using clock = std::chrono::steady_clock;
    static constexpr std::chrono::microseconds spin_for_{MPITRAY_BACKOFF_SPIN_US};
    static constexpr std::chrono::microseconds fast_gap_{250};  // below this average gap, spin first
    static constexpr std::chrono::microseconds initial_{50};
    static constexpr std::chrono::microseconds cap_{1000};
    std::chrono::microseconds delay_ = initial_;
    clock::time_point idle_since_{};
    clock::time_point last_message_{};
    double average_gap_us_ = 0;  // exponential average of the gaps between messages
};

}  // namespace mpitray::mpi
