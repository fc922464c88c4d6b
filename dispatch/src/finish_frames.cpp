#include <mpitray/dispatch/finish_frames.hpp>

#include <mpitray/core/summary_set.hpp>

#include <map>
#include <set>
#include <string>

namespace mpitray {

FinishFrames merge_finish_frames(const std::vector<std::vector<FramePtr>>& per_worker) {
    std::map<std::string, std::vector<FramePtr>> summaries;  // by module
    std::size_t senders = 0, others = 0;
    for (const auto& frames : per_worker) {
        senders += frames.empty() ? 0 : 1;
        for (const FramePtr& frame : frames) {
            if (const std::string module = summary_frame_module(*frame); !module.empty())
                summaries[module].push_back(frame);
            else ++others;
        }
    }
    FinishFrames out;
    out.unmerged = senders > 1 ? others : 0;
    std::set<std::string> placed;
    for (const auto& frames : per_worker)
        for (const FramePtr& frame : frames) {
            const std::string module = summary_frame_module(*frame);
            if (module.empty()) out.frames.push_back(frame);
            else if (placed.insert(module).second) out.frames.push_back(merge_summary_frames(summaries.at(module)));
        }
    return out;
}

}  // namespace mpitray
