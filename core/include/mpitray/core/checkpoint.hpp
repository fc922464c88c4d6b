#pragma once
// A checkpoint: a point of a run from which it can be resumed. The Dispatch takes one every
// checkpoint_seconds, between results, and once more when a stop ends the run; every output
// after it records the same checkpoint in its own file (io/checkpoint_log.hpp). A resumed run
// replays its input up to `input_frames` through the modules before the Dispatch (cheap, and
// the only way to put back their state and the random numbers they drew), sends the workers
// only the metadata frames of that input, and goes on with the first input not yet written.
#include <mpitray/core/frame.hpp>

#include <cstdint>
#include <vector>

namespace mpitray {

struct Checkpoint {
    std::uint64_t number = 0;           // 1, 2, ... over a run and its resumptions
    std::uint64_t input_frames = 0;     // input frames whose results are all in the outputs, in full
    std::uint64_t skipped_packets = 0;  // packets on_error: skip left out of them
    // The summary frames of the modules after the input (the Dispatch's inner modules, as written
    // so far, and the modules after the Dispatch): a replay does not run them, so their sums
    // are put back from here.
    std::vector<FramePtr> summaries;
};

}  // namespace mpitray
