#include <mpitray/dispatch/packetizer.hpp>

namespace mpitray {

Packetizer::Cut Packetizer::add(FramePtr frame) {
    const Stop stop = frame->stop();
    Cut cut;
    if (metadata_stops_.contains(stop) && open_has_start_) {
        open_.metadata.push_back(frame);
        open_.frames.push_back(std::move(frame));
    } else if (metadata_stops_.contains(stop)) {
        cut.packet = close();
        cut.broadcast = std::move(frame);
    } else if (stop == packet_stop_) {
        cut.packet = close();
        open_.frames.push_back(std::move(frame));
        open_has_start_ = true;
    } else if (open_has_start_) {
        open_.frames.push_back(std::move(frame));  // a dependent frame joins the open packet
    } else {
        cut.packet.frames.push_back(std::move(frame));  // no packet structure: a packet of its own
    }
    return cut;
}

Packet Packetizer::close() {
    Packet closed = std::move(open_);
    open_ = {};
    open_has_start_ = false;
    return closed;
}

std::optional<std::uint64_t> Packetizer::open_first_input() const {
    if (open_.frames.empty()) return std::nullopt;
    return open_.frames.front()->origin.input;
}

}  // namespace mpitray
