#include <mpitray/core/usage.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace mpitray {

std::string format_usage(const std::vector<ModuleUsage>& usage, double total_wall_seconds) {
    std::size_t width = 6;
    for (const ModuleUsage& u : usage) width = std::max(width, u.name.size());
    std::string out = fmt::format("{:<{}}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>6}\n", "module", width, "calls",
                                  "frames in", "out", "wall [s]", "cpu [s]", "wall %");
    for (const ModuleUsage& u : usage) {
        const double share = total_wall_seconds > 0 ? 100.0 * u.wall_seconds / total_wall_seconds : 0.0;
        out += fmt::format("{:<{}}  {:>9}  {:>9}  {:>9}  {:>9.3f}  {:>9.3f}  {:>5.1f}%\n", u.name, width, u.calls,
                           u.frames_in, u.frames_out, u.wall_seconds, u.cpu_seconds, share);
    }
    out += fmt::format("total wall time {:.3f} s\n", total_wall_seconds);
    return out;
}

}  // namespace mpitray
