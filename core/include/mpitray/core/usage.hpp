#pragma once
// Per-module usage: calls, frames in and out, wall and CPU time spent in the module itself
// (time in the modules it pushes to is not counted twice). Wall time is measured on every call;
// CPU time on one call in 16 and scaled by wall time (reading it costs a system call).
#include <cstdint>
#include <string>
#include <vector>

namespace mpitray {

struct ModuleUsage {
    std::string name;
    std::string type;
    std::uint64_t calls = 0;
    std::uint64_t frames_in = 0;
    std::uint64_t frames_out = 0;
    double wall_seconds = 0;
    double cpu_seconds = 0;
};

// The usage table printed at the end of a run.
std::string format_usage(const std::vector<ModuleUsage>& usage, double total_wall_seconds);

}  // namespace mpitray
