#include <mpitray/dispatch/in_flight.hpp>

#include <mpitray/core/error.hpp>

#include <algorithm>
#include <string>

namespace mpitray {

InFlight& InFlightTable::add(std::uint64_t seq) {
    if (units_.empty()) first_ = seq;
    if (seq != first_ + units_.size())
        throw Error("unit " + std::to_string(seq) + " is not the next one sent (" +
                    std::to_string(first_ + units_.size()) + ")");
    ++count_;
    return units_.emplace_back(InFlight{}).value();
}

InFlight* InFlightTable::find(std::uint64_t seq) {
    if (seq < first_ || seq - first_ >= units_.size()) return nullptr;
    auto& slot = units_[std::size_t(seq - first_)];
    return slot ? &*slot : nullptr;
}

const InFlight* InFlightTable::find(std::uint64_t seq) const { return const_cast<InFlightTable*>(this)->find(seq); }

InFlight InFlightTable::take(std::uint64_t seq) {
    InFlight* unit = find(seq);
    if (unit == nullptr) throw Error("unit " + std::to_string(seq) + " is not in flight");
    InFlight taken = std::move(*unit);
    units_[std::size_t(seq - first_)].reset();
    --count_;
    while (!units_.empty() && !units_.front()) {
        units_.pop_front();
        ++first_;
    }
    return taken;
}

std::vector<std::uint64_t> InFlightTable::held_by(int worker) const {
    std::vector<std::uint64_t> held;
    for (std::size_t i = 0; i < units_.size(); ++i)
        if (units_[i] && units_[i]->worker == worker) held.push_back(first_ + i);
    return held;
}

std::optional<std::int64_t> InFlightTable::oldest_sent_to(int worker) const {
    std::optional<std::int64_t> oldest;
    for (const auto& unit : units_)
        if (unit && unit->worker == worker) oldest = std::min(oldest.value_or(unit->sent_ns), unit->sent_ns);
    return oldest;
}

}  // namespace mpitray
