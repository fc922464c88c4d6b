#pragma once
// Gives a frame the keys it should see besides its own (design.md, Concepts): the latest frame
// of each metadata stop and, for a P frame, the latest Q frame. One mixer per module input, as
// in IceTray: each module sees a metadata frame's keys as they were when the frame reached that
// module, so a module that adds to a metadata frame changes what later modules see, not earlier ones.
#include <mpitray/core/frame.hpp>
#include <mpitray/core/run_state.hpp>

#include <map>
#include <memory>

namespace mpitray {

class FrameMixer {
public:
    explicit FrameMixer(const TrayEnvironment& environment) : environment_(&environment) {}
    void mix(Frame& frame);

private:
    const TrayEnvironment* environment_;
    std::map<Stop, std::shared_ptr<const ObjectTable>> latest_metadata_;
    std::shared_ptr<const ObjectTable> latest_daq_;
};

}  // namespace mpitray
