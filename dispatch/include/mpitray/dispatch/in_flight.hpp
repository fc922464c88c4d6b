#pragma once
// What Dispatch sent and has not had answered, by sequence number: which worker answers it and
// the input it was sent (results name unchanged input frames instead of carrying them back; the
// failure log writes a skipped packet's input with the metadata it was sent after). Sequence
// numbers are handed out in order and answered in any order, so the table is a window over them
// (as the reorder buffer is), not a tree.
#include <mpitray/core/frame.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace mpitray {

struct InFlight {
    int worker = -1;                // the worker that answers
    bool metadata = false;          // a metadata frame sent to every worker, not a packet
    std::vector<FramePtr> input;    // what was sent
    std::uint64_t first_input = 0;  // input index (FrameOrigin::input) of its first frame
    std::vector<FramePtr> context;  // the metadata it was sent after (kept for the failure log)
    std::int64_t sent_ns = 0;
    std::size_t sent_bytes = 0;  // its message (in a batch, its entry)
    bool holds_credit = true;    // its answer frees the worker's credit (a batch's last packet does)
    bool alone = false;          // a packet sent as a message of its own
    bool taken = false;          // taken back from the worker it was sent to first
};

class InFlightTable {
public:
    // Records unit `seq`, which must be the next after the last one added.
    InFlight& add(std::uint64_t seq);
    // The unit, if it is still in flight.
    InFlight* find(std::uint64_t seq);
    const InFlight* find(std::uint64_t seq) const;
    // Removes an answered unit (which must be in flight) and returns it.
    InFlight take(std::uint64_t seq);

    // The units a worker must answer, oldest first, and when the oldest of them was sent.
    std::vector<std::uint64_t> held_by(int worker) const;
    std::optional<std::int64_t> oldest_sent_to(int worker) const;
    // Every unit in flight, oldest first.
    template <class Visit>
    void for_each(Visit&& visit) const {
        for (std::size_t i = 0; i < units_.size(); ++i)
            if (units_[i]) visit(first_ + i, *units_[i]);
    }
    bool empty() const noexcept { return count_ == 0; }
    std::size_t size() const noexcept { return count_; }

private:
    std::deque<std::optional<InFlight>> units_;  // slot i holds seq first_ + i
    std::uint64_t first_ = 0;
    std::size_t count_ = 0;
};

}  // namespace mpitray
