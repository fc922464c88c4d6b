#pragma once
// Cuts Dispatch's input into what it sends (docs/protocol.md, "Packets"): a packet starts at a
// frame of the packet stop and takes the frames that follow until the next packet stop or
// metadata frame; a metadata frame between them goes to every worker on its own. A metadata
// frame that arrives while a packet is open and has begun with its packet-stop frame travels
// inside that packet, so its worker sees it exactly where the serial run does. Without packet
// structure (no packet-stop frame yet), a frame is a packet of its own.
#include <mpitray/core/frame.hpp>
#include <mpitray/core/stop_set.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace mpitray {

struct Packet {
    std::vector<FramePtr> frames;
    std::vector<FramePtr> metadata;  // the metadata frames among them: copies go to the other workers

    bool empty() const noexcept { return frames.empty(); }
};

class Packetizer {
public:
    Packetizer(Stop packet_stop, StopSet metadata_stops)
        : packet_stop_(packet_stop), metadata_stops_(std::move(metadata_stops)) {}
    Stop packet_stop() const noexcept { return packet_stop_; }

    // What one input frame completes, to be sent in this order.
    struct Cut {
        Packet packet;       // a packet ready to send (empty: none)
        FramePtr broadcast;  // then a metadata frame for every worker (null: none)
    };
    Cut add(FramePtr frame);
    // The open packet, closed: the input ended, or what came so far must be sent now.
    Packet close();

    // Input index of the open packet's first frame, if one is open.
    std::optional<std::uint64_t> open_first_input() const;

private:
    Stop packet_stop_;
    StopSet metadata_stops_;
    Packet open_;
    bool open_has_start_ = false;  // the open packet began with a packet-stop frame
};

}  // namespace mpitray
