#pragma once
// Gives a frame the keys it should see besides its own (docs/user-guide.md, "Frames and
// mixing"): the latest frame of each metadata stop and, for a P frame, the latest Q frame. One
// mixer per module input, as in IceTray: each module sees a metadata frame's keys as they were
// when the frame reached that module, so a module that adds to a metadata frame changes what
// later modules see, not earlier ones.
#include <mpitray/core/frame.hpp>
#include <mpitray/core/run_state.hpp>

#include <map>
#include <memory>
#include <optional>

namespace mpitray {

class FrameMixer {
public:
    // `daq_generation` counts the Q frames that entered the tray: a P frame sees the latest Q only
    // if that Q is the one that entered last, so when a module drops a Q its P frames see no Q at
    // later modules, on every rank alike, rather than an older Q that depends on the rank.
    FrameMixer(const TrayEnvironment& environment, const std::uint64_t& daq_generation)
        : environment_(&environment), daq_generation_(&daq_generation) {}
    void mix(Frame& frame);

private:
    const TrayEnvironment* environment_;
    const std::uint64_t* daq_generation_;
    std::map<Stop, std::shared_ptr<const ObjectTable>> latest_metadata_;
    std::shared_ptr<const ObjectTable> latest_daq_;
    std::uint64_t latest_daq_generation_ = 0;
    // The context handed out last, and for what: frame after frame of one stop sees the same one.
    struct Given {
        Stop stop;
        bool daq = false;
        Frame::Context context;
    };
    std::optional<Given> given_;
};

}  // namespace mpitray
