#pragma once
// One worker in the dispatcher's own process: the inner section runs in an inner tray with a
// Reply at its end, fed the same protocol messages an MPI worker gets, synchronously.
#include <mpitray/core/tray.hpp>
#include <mpitray/dispatch/worker_channel.hpp>
#include <mpitray/receiver/packet_feeder.hpp>
#include <mpitray/shadowframes/worker_link.hpp>

#include <deque>
#include <memory>
#include <string>

namespace mpitray {

class LoopbackChannel : public WorkerChannel, private ResultSink {
public:
    // `inner` is the configured inner section; a Reply is appended to it here.
    // `host`: this machine's name, for the worker's report.
    LoopbackChannel(std::unique_ptr<Tray> inner, std::string host);

    int workers() const override { return 1; }
    int rank_of(int) const override { return 0; }
    void send(int worker, Tag tag, OutgoingMessage message) override;
    std::optional<Incoming> poll() override;
    void idle(bool /*result_soon*/, std::chrono::microseconds /*longest_sleep*/) override {}
    bool flush(double) override { return true; }
    void abandon() noexcept override { tray_->abandon(); }

private:
    void send(Tag tag, OutgoingMessage message) override;  // ResultSink: the Reply's messages
    void feed(const ByteView& bytes);
    void finish(bool stopped);

    std::unique_ptr<Tray> tray_;
    std::string host_;
    WorkerLink link_;
    PacketFeeder feeder_;
    std::deque<Incoming> queue_;
    bool finished_ = false;
};

}  // namespace mpitray
