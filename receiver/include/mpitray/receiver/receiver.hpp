#pragma once
// The Receiver: the first module of the inner tray on MPI ranks >= 1. It takes metadata frames
// and packets (alone, or several in a batch) from the dispatcher, pushes their frames and then a
// shadow frame, and ends the tray on end_of_stream (or stop, when the run is abandoned). On rank
// 0's host it checks the claim board before each packet, and skips one rank 0 took back.
#include <mpitray/core/module.hpp>
#include <mpitray/receiver/packet_feeder.hpp>
#include <mpitray/shadowframes/claim_board.hpp>
#include <mpitray/shadowframes/mpi.hpp>

#include <optional>

namespace mpitray {

class Receiver : public Module {
public:
    // `comm`: the dispatcher is its rank 0. `rank`: this worker's rank in the job, for reports.
    Receiver(WorkerLink& link, mpi::Communicator& comm, int rank, std::string host);
    bool is_source() const override { return true; }
    bool produce() override;

private:
    // Runs one packet or metadata frame through the inner tray.
    void feed(const ByteView& bytes);
    // Runs a batch's packets one by one (batch_runner.hpp).
    void feed_batch(const ByteView& bytes);

    WorkerLink& link_;
    mpi::Communicator& comm_;
    int rank_;
    PacketFeeder feeder_;
    std::optional<ClaimBoard> claims_;  // none: nothing this worker holds is taken back
    int claims_worker_ = 0;             // its word on the board
};

}  // namespace mpitray
