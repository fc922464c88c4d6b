#pragma once
// Runs one protocol message through an inner tray: its frames, then the shadow frame with its
// sequence number. If a module throws, what the Reply collected for it is dropped and a failure
// report goes to the dispatcher in place of the result. Used by the Receiver on MPI workers and
// by the dispatcher when it runs the inner section in its own process.
#include <mpitray/shadowframes/message.hpp>
#include <mpitray/shadowframes/worker_link.hpp>
#include <mpitray/shadowframes/worker_messages.hpp>

#include <functional>
#include <string>

namespace mpitray {

class PacketFeeder {
public:
    PacketFeeder(WorkerLink& link, int rank, std::string host) : link_(link), rank_(rank), host_(std::move(host)) {}
    void feed(const Message& message, std::size_t message_bytes, const std::function<void(FramePtr)>& push);

private:
    WorkerLink& link_;
    int rank_;
    std::string host_;
};

}  // namespace mpitray
