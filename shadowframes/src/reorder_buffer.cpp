#include <mpitray/shadowframes/reorder_buffer.hpp>

#include <mpitray/core/error.hpp>

#include <algorithm>
#include <string>

namespace mpitray {

Seq ReorderBuffer::open() {
    const Seq seq = next_open_;
    next_open_ = next(next_open_);
    slots_.emplace_back();
    peak_slots_ = std::max(peak_slots_, slots_.size());
    return seq;
}

void ReorderBuffer::fill(Result result) {
    const std::uint64_t s = value(result.seq);
    if (s < value(next_pop_) || s >= value(next_open_))
        throw Error("reorder buffer: result for sequence number " + std::to_string(s) + " that is not awaited");
    auto& slot = slots_[s - value(next_pop_)];
    if (slot) throw Error("reorder buffer: second result for sequence number " + std::to_string(s));
    bytes_ += result.bytes;
    peak_bytes_ = std::max(peak_bytes_, bytes_);
    slot = std::move(result);
}

std::optional<Result> ReorderBuffer::pop() {
    if (slots_.empty() || !slots_.front()) return std::nullopt;
    Result result = std::move(*slots_.front());
    slots_.pop_front();
    bytes_ -= result.bytes;
    next_pop_ = next(next_pop_);
    return result;
}

}  // namespace mpitray
