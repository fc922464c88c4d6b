#pragma once
// Which worker gets the next packet (docs/protocol.md, "Credits"). Each worker may hold `credits`
// packets at once. `dynamic` gives the packet to the worker holding the fewest, ties going to the
// one after the last chosen; `round-robin` takes the workers in turn and waits for the next one
// in turn. Metadata frames do not use credits: every worker gets them, and the one holding the
// fewest packets answers.
#include <cstddef>
#include <optional>
#include <vector>

namespace mpitray {

enum class Schedule { dynamic, round_robin };

class WorkerScheduler {
public:
    WorkerScheduler(int workers, Schedule schedule, int credits);

    // The worker for the next packet, or none while the one(s) it may go to have no credit left.
    std::optional<int> pick();
    // The worker that answers a metadata frame: the one holding the fewest packets (the first, on a tie).
    int least_busy() const;

    void sent(int worker);      // a packet went to it
    void answered(int worker);  // it sent a packet's result or failure

    int workers() const noexcept { return int(in_flight_.size()); }
    int in_flight(int worker) const { return in_flight_.at(std::size_t(worker)); }
    int total_in_flight() const noexcept { return total_; }
    int peak_in_flight() const noexcept { return peak_; }

private:
    Schedule schedule_;
    int credits_;
    std::vector<int> in_flight_;  // packets sent, result not yet back, by worker
    int next_ = 0;                // round-robin position, and the dynamic tie-breaker
    int total_ = 0;
    int peak_ = 0;
};

}  // namespace mpitray
