#pragma once
#include <mpitray/dispatch/worker_channel.hpp>
#include <mpitray/shadowframes/claim_board.hpp>
#include <mpitray/shadowframes/mpi.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mpitray {

// Workers are MPI ranks 1..N-1 of the communicator (the job's, or a stage's); worker w is its rank
// w + 1. Messages name the job's ranks.
//
// Liveness: MPI does not tell rank 0 that a worker died (a send to it just never completes), and
// the launcher's reaction (mpirun: SIGCONT, SIGTERM after odls_base_sigkill_timeout, SIGKILL
// after as long again; srun: SIGTERM, SIGKILL after KillWait) leaves rank 0 only seconds. So
// rank 0 watches the workers on its own host itself, through a pidfd of each worker's process,
// which becomes readable when the process ends (docs/protocol.md, "When a worker dies").
//
// The workers on its host are also sent where the claim board is (claim_board.hpp), so that a
// packet waiting at one of them can be taken back; each that can open it attaches itself.
class MpiChannel : public WorkerChannel {
public:
    // `world_ranks`: the job's rank of each of comm's ranks (empty: the same). `hosts` and `pids`
    // by the job's rank (may be empty: no liveness watch).
    MpiChannel(mpi::Communicator& comm, std::vector<int> world_ranks, const std::vector<std::string>& hosts,
               const std::vector<int>& pids);
    ~MpiChannel() override;
    MpiChannel(const MpiChannel&) = delete;
    MpiChannel& operator=(const MpiChannel&) = delete;

    int workers() const override { return comm_.size() - 1; }
    int rank_of(int worker) const override {
        return world_ranks_.empty() ? worker + 1 : world_ranks_[std::size_t(worker) + 1];
    }
    void send(int worker, Tag tag, OutgoingMessage message) override {
        comm_.send(worker + 1, tag, std::move(message));
    }
    std::optional<Incoming> poll() override {
        auto received = comm_.try_receive();
        comm_.progress();
        if (!received) return std::nullopt;
        backoff_.reset();
        return Incoming{received->source - 1, received->tag, std::move(received->bytes)};
    }
    void idle(bool result_soon, std::chrono::microseconds longest_sleep) override {
        comm_.progress();
        backoff_.wait(result_soon, longest_sleep);
    }
    bool flush(double seconds) override { return comm_.flush_for(seconds); }
    bool worker_died(int worker) override;
    int worker_pid(int worker) const override;
    bool waiting(int worker, std::uint64_t seq) const override { return claims_ && claims_->waiting(worker, seq); }
    bool withdraw(int worker, std::uint64_t seq) override { return claims_ && claims_->withdraw(worker, seq); }
    // How many workers are watched (on rank 0's host, same program).
    int watched() const;

private:
    mpi::Communicator& comm_;
    std::vector<int> world_ranks_;
    mpi::Backoff backoff_;
    std::vector<int> pidfds_;           // by worker; -1: not watched
    std::vector<int> pids_;             // by worker
    std::optional<ClaimBoard> claims_;  // none: fewer than two workers, or no shared memory
};

}  // namespace mpitray
