#include <mpitray/dispatch/worker_scheduler.hpp>

#include <mpitray/core/error.hpp>

#include <algorithm>

namespace mpitray {

WorkerScheduler::WorkerScheduler(int workers, Schedule schedule, int credits)
    : schedule_(schedule), credits_(credits), in_flight_(std::size_t(std::max(workers, 0)), 0) {
    if (workers < 1 || credits < 1) throw Error("a scheduler needs at least one worker and one credit");
}

std::optional<int> WorkerScheduler::pick() {
    const int n = workers();
    int chosen = -1;
    if (schedule_ == Schedule::round_robin) {
        if (in_flight_[std::size_t(next_)] < credits_) chosen = next_;
    } else {
        for (int i = 0; i < n; ++i) {
            const int w = (next_ + i) % n;
            const int load = in_flight_[std::size_t(w)];
            if (load < credits_ && (chosen < 0 || load < in_flight_[std::size_t(chosen)])) chosen = w;
        }
    }
    if (chosen < 0) return std::nullopt;
    next_ = (chosen + 1) % n;
    return chosen;
}

int WorkerScheduler::least_busy() const {
    return int(std::min_element(in_flight_.begin(), in_flight_.end()) - in_flight_.begin());
}

void WorkerScheduler::sent(int worker) {
    ++in_flight_.at(std::size_t(worker));
    peak_ = std::max(peak_, ++total_);
}

void WorkerScheduler::answered(int worker) {
    int& held = in_flight_.at(std::size_t(worker));
    if (held == 0) throw Error("a worker answered a packet it does not hold");
    --held;
    --total_;
}

}  // namespace mpitray
