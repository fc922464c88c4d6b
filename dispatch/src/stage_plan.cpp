#include <mpitray/dispatch/stage_plan.hpp>

#include <mpitray/core/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace mpitray {
namespace {

std::string at(const StageRequest& stage) {
    const std::string where = stage.where.str();
    return where.empty() ? "" : where + ": ";
}

// Shares `count` among the stages with these weights: one each first, then the rest in
// proportion to the weights, by largest remainder (ties to the earlier stage).
std::vector<int> share(int count, const std::vector<double>& weights) {
    const std::size_t n = weights.size();
    std::vector<int> got(n, 1);
    const int rest = count - int(n);
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<double> remainder(n);
    int given = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double quota = double(rest) * weights[i] / total;
        const int whole = int(std::floor(quota));
        got[i] += whole;
        given += whole;
        remainder[i] = quota - whole;
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t k = 0; given < rest; ++k, ++given) ++got[order[k % n]];
    return got;
}

}  // namespace

int Plan::stage_of(int rank) const {
    for (std::size_t s = 0; s < stages.size(); ++s)
        if (std::find(stages[s].ranks.begin(), stages[s].ranks.end(), rank) != stages[s].ranks.end()) return int(s);
    return -1;
}

Plan plan_stages(const std::vector<StageRequest>& stages, int ranks) {
    std::set<std::string> names;
    for (const StageRequest& stage : stages) {
        if (!names.insert(stage.name).second)
            throw ConfigError(
                fmt::format("{}two Dispatch modules are named '{}': give each stage its own name "
                            "(name: sim, name: reco, ...)",
                            at(stage), stage.name));
        // As Dispatch::configure() checks them, which runs only after the plan.
        if (stage.workers < 0 || stage.workers > stage_limits::max_workers)
            throw ConfigError(fmt::format("{}Dispatch '{}': workers must be 0 to {}, not {}", at(stage), stage.name,
                                          stage_limits::max_workers, stage.workers));
        if (!(stage.weight >= stage_limits::min_weight && stage.weight <= stage_limits::max_weight))
            throw ConfigError(fmt::format("{}Dispatch '{}': weight must be {} to {}, not {}", at(stage), stage.name,
                                          stage_limits::min_weight, stage_limits::max_weight, stage.weight));
    }
    Plan plan;
    for (const StageRequest& stage : stages) plan.stages.push_back({stage.name, {}});
    if (ranks <= 1 || stages.empty()) {
        for (int r = 1; r < ranks; ++r) plan.idle.push_back(r);
        return plan;
    }

    const int workers = ranks - 1;
    std::int64_t claimed = 0;
    std::string asked;
    std::vector<double> weights;
    for (const StageRequest& stage : stages) {
        claimed += stage.workers;
        if (stage.workers == 0) weights.push_back(stage.weight);
        asked += fmt::format("{}{} {}", asked.empty() ? "" : ", ", stage.name,
                             stage.workers > 0 ? std::to_string(stage.workers) : "at least 1");
    }
    const std::int64_t needed = claimed + std::int64_t(weights.size());
    if (needed > workers)
        throw ConfigError(fmt::format(
            "the pipeline's {} Dispatch stage{} need{} at least {} worker rank{} ({}), but the "
            "job has {} rank{}: rank 0 and {} worker{}. Run it on at least {} ranks, or on one "
            "(every stage then runs in rank 0's process)",
            stages.size(), stages.size() == 1 ? "" : "s", stages.size() == 1 ? "s" : "", needed, needed == 1 ? "" : "s",
            asked, ranks, ranks == 1 ? "" : "s", workers, workers == 1 ? "" : "s", needed + 1));
    const std::vector<int> shares = weights.empty() ? std::vector<int>{} : share(workers - int(claimed), weights);
    int next_rank = 1;
    std::size_t next_share = 0;
    for (std::size_t s = 0; s < stages.size(); ++s) {
        const int count = stages[s].workers > 0 ? int(stages[s].workers) : shares[next_share++];
        for (int i = 0; i < count; ++i) plan.stages[s].ranks.push_back(next_rank++);
    }
    for (int r = next_rank; r < ranks; ++r) plan.idle.push_back(r);
    return plan;
}

}  // namespace mpitray
