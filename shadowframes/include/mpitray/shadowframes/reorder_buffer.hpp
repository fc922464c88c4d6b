#pragma once
// Puts results back in input order. The dispatcher opens a slot for each sequence number when it
// sends the input; results fill slots in any order; pop() hands out the oldest slot once it is
// filled. The buffer knows its size in slots and in bytes, so the dispatcher can stop reading
// input while it is full (docs/protocol.md, "The reorder buffer").
#include <mpitray/core/frame.hpp>
#include <mpitray/shadowframes/protocol.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace mpitray {

struct Result {
    Seq seq{};
    std::vector<FramePtr> frames;
    std::size_t bytes = 0;
    bool metadata = false;          // a metadata frame's result, not a packet's
    std::uint64_t first_input = 0;  // input index (FrameOrigin::input) of the unit's first frame
};

class ReorderBuffer {
public:
    // Opens the slot for the next sequence number; returns it.
    Seq open();
    // Fills a slot. Throws Error for a sequence number that is not open or already filled.
    void fill(Result result);
    // The oldest result, once it has arrived.
    std::optional<Result> pop();
    // The oldest result, if it has arrived, left in place.
    const Result* peek() const noexcept { return slots_.empty() || !slots_.front() ? nullptr : &*slots_.front(); }

    Seq next_to_open() const noexcept { return next_open_; }
    Seq next_to_pop() const noexcept { return next_pop_; }
    std::size_t slots() const noexcept { return slots_.size(); }  // open, filled or not
    std::size_t bytes() const noexcept { return bytes_; }         // of the filled slots
    std::size_t peak_slots() const noexcept { return peak_slots_; }
    std::size_t peak_bytes() const noexcept { return peak_bytes_; }
    bool empty() const noexcept { return slots_.empty(); }

private:
    std::deque<std::optional<Result>> slots_;  // slot i holds seq next_pop_ + i
    Seq next_open_{0};
    Seq next_pop_{0};
    std::size_t bytes_ = 0;
    std::size_t peak_slots_ = 0;
    std::size_t peak_bytes_ = 0;
};

}  // namespace mpitray
