#include <mpitray/dispatch/watchdog.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace mpitray {
namespace {
constexpr std::int64_t liveness_interval_ns = 10'000'000;
}  // namespace

std::optional<Watchdog::Silence> Watchdog::silent_holder(std::int64_t now_ns, const InFlightTable& in_flight,
                                                         const std::vector<std::int64_t>& last_heard_ns) const {
    if (timeout_s_ <= 0) return std::nullopt;
    for (int w = 0; w < int(last_heard_ns.size()); ++w) {
        const std::optional<std::int64_t> oldest = in_flight.oldest_sent_to(w);
        if (!oldest) continue;
        const double silent = double(now_ns - std::max(*oldest, last_heard_ns[std::size_t(w)])) * 1e-9;
        if (silent >= timeout_s_) return Silence{w, silent, in_flight.held_by(w)};
    }
    return std::nullopt;
}

std::optional<Watchdog::Silence> Watchdog::silent_after_end(std::int64_t now_ns, std::int64_t end_sent_ns,
                                                            const std::vector<std::int64_t>& last_heard_ns,
                                                            const std::vector<bool>& ended) const {
    if (timeout_s_ <= 0) return std::nullopt;
    for (int w = 0; w < int(last_heard_ns.size()); ++w) {
        if (ended[std::size_t(w)]) continue;
        const double silent = double(now_ns - std::max(end_sent_ns, last_heard_ns[std::size_t(w)])) * 1e-9;
        if (silent >= timeout_s_) return Silence{w, silent, {}};
    }
    return std::nullopt;
}

std::string Watchdog::describe(const Silence& silence, const std::string& name) const {
    const std::string holding =
        silence.held.empty()
            ? "since it was told the input ended"
            : fmt::format("while holding packet{} {}", silence.held.size() == 1 ? "" : "s", list_units(silence.held));
    return fmt::format(
        "watchdog: {} has sent nothing for {:.1f} s {} (packet_timeout {} s); it may be stuck, or its "
        "link cut. Writing what is complete and ending the job",
        name, silence.seconds, holding, timeout_s_);
}

bool Watchdog::liveness_due(std::int64_t now_ns) {
    if (now_ns - liveness_checked_ns_ < liveness_interval_ns) return false;
    liveness_checked_ns_ = now_ns;
    return true;
}

std::string list_units(const std::vector<std::uint64_t>& units) {
    std::string list;
    for (std::uint64_t unit : units) list += (list.empty() ? "" : ", ") + std::to_string(unit);
    return list;
}

}  // namespace mpitray
