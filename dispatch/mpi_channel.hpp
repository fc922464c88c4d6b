#pragma once
#include <mpitray/dispatch/worker_channel.hpp>
#include <mpitray/shadowframes/mpi.hpp>

namespace mpitray {

// Workers are MPI ranks 1..N-1 of the communicator; worker w is rank w + 1.
class MpiChannel : public WorkerChannel {
public:
    explicit MpiChannel(mpi::Communicator& comm) : comm_(comm) {}
    int workers() const override { return comm_.size() - 1; }
    int rank_of(int worker) const override { return worker + 1; }
    void send(int worker, Tag tag, OutgoingMessage message) override { comm_.send(worker + 1, tag, std::move(message)); }
    std::optional<Incoming> poll() override {
        auto received = comm_.try_receive();
        comm_.progress();
        if (!received) return std::nullopt;
        backoff_.reset();
        return Incoming{received->source - 1, received->tag, std::move(received->bytes)};
    }
    void idle(bool result_soon) override {
        comm_.progress();
        backoff_.wait(result_soon);
    }
    bool flush(double seconds) override { return comm_.flush_for(seconds); }

private:
    mpi::Communicator& comm_;
    mpi::Backoff backoff_;
};

}  // namespace mpitray
