#include <mpitray/core/frame_mixer.hpp>

namespace mpitray {

void FrameMixer::mix(Frame& frame) {
    const Stop stop = frame.stop();
    const bool metadata = environment_->is_metadata(stop);
    std::vector<MixedFrame> context;
    context.reserve(latest_metadata_.size() + 1);
    if (stop == Stop::physics() && latest_daq_) context.push_back({Stop::daq(), latest_daq_});
    for (const auto& [other, objects] : latest_metadata_)
        if (other != stop) context.push_back({other, objects});
    frame.set_context(std::move(context));

    if (metadata) latest_metadata_[stop] = frame.shared_objects();
    else if (stop == Stop::daq()) latest_daq_ = frame.shared_objects();
}

}  // namespace mpitray
