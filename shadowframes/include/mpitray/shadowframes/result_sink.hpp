#pragma once
// Where a worker's messages to the dispatcher go: over MPI to rank 0, or, when the inner section
// runs in the dispatcher's own process, into a queue the dispatcher reads.
#include <mpitray/shadowframes/message.hpp>

namespace mpitray {

class ResultSink {
public:
    virtual ~ResultSink() = default;
    virtual void send(Tag tag, OutgoingMessage message) = 0;
};

}  // namespace mpitray
