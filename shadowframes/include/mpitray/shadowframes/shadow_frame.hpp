#pragma once
// Shadow frames: pushed into an inner tray behind each packet and metadata frame, carrying its
// sequence number. The tray carries them past user modules; the Reply module sees them and sends
// everything that reached it ahead of one as that input's result. They never reach a file.
#include <mpitray/core/frame.hpp>
#include <mpitray/shadowframes/protocol.hpp>

namespace mpitray {

struct ShadowInfo {
    Seq seq{};
    std::uint32_t flags = 0;  // message_flags
};

FramePtr make_shadow_frame(ShadowInfo info);
// The sequence number and flags of a shadow frame; throws Error for any other frame.
ShadowInfo shadow_info(const Frame& frame);

}  // namespace mpitray
