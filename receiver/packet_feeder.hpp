#pragma once
// Runs one protocol message through an inner tray: its frames, then the shadow frame with its
// sequence number. If a module throws, what the Reply collected for it is dropped and a failure
// report goes to the dispatcher in place of the result. Used by the Receiver on MPI workers and
// by the dispatcher when it runs the inner section in its own process.
#include <mpitray/shadowframes/message.hpp>
#include <mpitray/shadowframes/worker_link.hpp>

#include <functional>
#include <string>

namespace mpitray {

struct FailureReport {
    Seq seq{};
    int rank = 0;
    std::string host;
    std::string module;   // empty when not a module's error
    std::string frame;    // the frame being processed, described
    std::string message;
    bool on_metadata = false; // the message was a metadata frame (set by the dispatcher)
};

// A failure report as a protocol message, and back.
OutgoingMessage failure_message(const FailureReport& report, std::uint32_t flags);
FailureReport parse_failure(const Message& message);

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
