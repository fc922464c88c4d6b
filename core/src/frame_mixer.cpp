#include <mpitray/core/frame_mixer.hpp>

namespace mpitray {

void FrameMixer::mix(Frame& frame) {
    const Stop stop = frame.stop();
    const bool metadata = environment_->is_metadata(stop);
    const bool daq = stop == Stop::physics() && latest_daq_ && latest_daq_generation_ == *daq_generation_;
    if (!given_ || given_->stop != stop || given_->daq != daq) {
        std::vector<MixedFrame> context;
        context.reserve(latest_metadata_.size() + 1);
        if (daq) context.push_back({Stop::daq(), latest_daq_});
        for (const auto& [other, objects] : latest_metadata_)
            if (other != stop) context.push_back({other, objects});
        given_ = Given{stop, daq, std::make_shared<const std::vector<MixedFrame>>(std::move(context))};
    }
    frame.set_context(given_->context);

    // A snapshot of the keys (the objects are shared): what later modules put into this frame
    // must not change what this module's input sees, as in IceTray. What later frames see changes.
    if (metadata) {
        latest_metadata_[stop] = std::make_shared<const ObjectTable>(frame.own());
        given_.reset();
    } else if (stop == Stop::daq()) {
        latest_daq_ = std::make_shared<const ObjectTable>(frame.own());
        latest_daq_generation_ = *daq_generation_;
        given_.reset();
    }
}

}  // namespace mpitray
