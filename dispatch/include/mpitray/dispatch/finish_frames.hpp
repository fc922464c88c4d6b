#pragma once
// What the workers' inner sections pushed at the end of the run, as the output gets it. Each
// module's summary frames (one per worker) become the one frame a serial run makes, in the place
// the first worker that has it put it; every other frame stays as each worker pushed it, worker
// after worker. One worker's frames come out as they went in.
#include <mpitray/core/frame.hpp>

#include <cstddef>
#include <vector>

namespace mpitray {

struct FinishFrames {
    std::vector<FramePtr> frames;
    // Frames that are not summaries while more than one worker sent frames: each worker's own
    // (a module that pushes what it counted in finish()), which nothing can merge.
    std::size_t unmerged = 0;
};

// `per_worker`: what each worker sent, in worker order. Throws Error when two workers' summaries
// of one module do not merge (another kind or binning under one name).
FinishFrames merge_finish_frames(const std::vector<std::vector<FramePtr>>& per_worker);

}  // namespace mpitray
