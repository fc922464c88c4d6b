#pragma once
// Dispatch's watchdog (docs/user-guide.md, "packet_timeout"): a worker that holds packets and
// sends nothing for packet_timeout seconds is stuck or cut off, and so is one that sends nothing
// for as long after it was told the input ended. It also paces the checks for a worker whose
// process died, which the channel answers by polling the process. It only decides and words the
// report; Dispatch writes what is complete and ends the job.
#include <mpitray/dispatch/in_flight.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mpitray {

class Watchdog {
public:
    // timeout_seconds 0: no silence is too long (dead workers are still looked for).
    explicit Watchdog(double timeout_seconds) : timeout_s_(timeout_seconds) {}

    struct Silence {
        int worker = -1;
        double seconds = 0;
        std::vector<std::uint64_t> held;  // the units it holds (none: it was told the input ended)
    };
    // The first worker holding units that has been silent too long: since its last message or the
    // oldest unit it holds was sent, whichever is later. `last_heard_ns` is by worker.
    std::optional<Silence> silent_holder(std::int64_t now_ns, const InFlightTable& in_flight,
                                         const std::vector<std::int64_t>& last_heard_ns) const;
    // The first worker not yet `ended` that has been silent too long since the end was sent.
    std::optional<Silence> silent_after_end(std::int64_t now_ns, std::int64_t end_sent_ns,
                                            const std::vector<std::int64_t>& last_heard_ns,
                                            const std::vector<bool>& ended) const;
    // What the user reads; `name` is the worker's rank and host.
    std::string describe(const Silence& silence, const std::string& name) const;

    // Whether it is time to ask again which worker processes died (every 10 ms at most: each
    // question is a poll per watched process).
    bool liveness_due(std::int64_t now_ns);

private:
    double timeout_s_;
    std::int64_t liveness_checked_ns_ = 0;
};

// "3", "3, 4, 7": units as a message lists them.
std::string list_units(const std::vector<std::uint64_t>& units);

}  // namespace mpitray
