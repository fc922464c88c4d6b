#pragma once
// How the Dispatch module reaches its workers: MPI ranks 1..N-1, or, with one rank, an inner tray
// in its own process. Both carry the same protocol messages, so results pass through the same
// shadow-frame and reorder path either way (docs/protocol.md, "One rank: the loopback path").
#include <mpitray/shadowframes/message.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace mpitray {

struct Incoming {
    int worker = 0;  // 0 .. workers()-1
    Tag tag{};
    SharedBuffer bytes;
};

class WorkerChannel {
public:
    virtual ~WorkerChannel() = default;
    virtual int workers() const = 0;
    // The worker's MPI rank (0 for the in-process worker).
    virtual int rank_of(int worker) const = 0;
    virtual void send(int worker, Tag tag, OutgoingMessage message) = 0;
    // A message from any worker, if one is there.
    virtual std::optional<Incoming> poll() = 0;
    // Pauses briefly before the next poll (lets sends progress). `result_soon`: a result is due
    // within microseconds, so the pause should only yield the core rather than sleep. No single
    // sleep lasts longer than `longest_sleep` (PacketPace).
    virtual void idle(bool result_soon, std::chrono::microseconds longest_sleep) = 0;
    // Waits until everything sent has left, for at most `seconds`; false if something has not.
    virtual bool flush(double seconds) = 0;
    // Whether the worker's process is known to have ended (a crash, SIGKILL, the OOM killer).
    // Only answers for what the channel can watch; false when it cannot tell.
    virtual bool worker_died(int /*worker*/) { return false; }
    // The process id of the worker, if known (for messages).
    virtual int worker_pid(int /*worker*/) const { return 0; }
    // Taking back a packet a worker holds but has not started, where the channel can
    // (claim_board.hpp; docs/protocol.md, "Taking back a waiting packet"): whether packet `seq`
    // waits at the worker, and taking it back (true: the worker will skip it, and never answer it).
    virtual bool waiting(int /*worker*/, std::uint64_t /*seq*/) const { return false; }
    virtual bool withdraw(int /*worker*/, std::uint64_t /*seq*/) { return false; }
    // The run will not start: remove what the in-process inner section created.
    virtual void abandon() noexcept {}
};

}  // namespace mpitray
