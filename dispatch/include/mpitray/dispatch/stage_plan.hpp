#pragma once
// Which worker ranks each Dispatch of a pipeline gets. A pipeline may hold several Dispatch
// modules (stages), each on its own group of ranks; rank 0 runs the serial tray around them.
// Every rank computes the same plan from the same pipeline, so a worker knows its stage without
// being told.
//
// A stage asks for `workers` ranks, or (0) for a share of the ranks no stage claims, in
// proportion to its `weight`: every such stage first gets one, then the rest go by largest
// remainder (ties to the earlier stage). Ranks are handed out in tray order, from rank 1.
#include <mpitray/core/module_spec.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mpitray {

namespace stage_limits {
inline constexpr std::int64_t max_workers = std::int64_t{1} << 20;
inline constexpr double min_weight = 1e-9;
inline constexpr double max_weight = 1e9;
}  // namespace stage_limits

struct StageRequest {
    std::string name;          // the Dispatch module's name
    std::int64_t workers = 0;  // 0: a share of what is left
    double weight = 1.0;
    SourceLocation where;
};

struct StagePlan {
    std::string name;
    std::vector<int> ranks;  // its workers' ranks; empty: the inner section runs in rank 0's process
};

struct Plan {
    std::vector<StagePlan> stages;
    std::vector<int> idle;  // ranks no stage has (every stage asked for a fixed number)
    // The stage a rank works for, or -1.
    int stage_of(int rank) const;
};

// `ranks`: the job's size. One rank: every stage runs in-process. ConfigError when the job has
// too few ranks for the stages, or two stages share a name.
Plan plan_stages(const std::vector<StageRequest>& stages, int ranks);

}  // namespace mpitray
