#include <mpitray/reply/reply.hpp>

#include <mpitray/shadowframes/shadow_frame.hpp>
#include <mpitray/shadowframes/worker_messages.hpp>

namespace mpitray {

void Reply::process(const FramePtr& frame) {
    if (frame->stop() != Stop::shadow()) {
        link_.collected.push_back(frame);
        return;
    }
    const ShadowInfo info = shadow_info(*frame);
    if (info.flags & message_flags::reply) {
        // What the inner modules counted on this packet goes back with it, after its frames.
        for (FramePtr& filled : take_filled_summaries()) link_.collected.push_back(std::move(filled));
        OutgoingMessage result(MessageHeader{info.seq, info.flags, monotonic_ns() - link_.input_started_ns},
                               link_.collected, link_.inputs);
        link_.stats.bytes_out += result.size();
        link_.answer(Tag::result, std::move(result));
    }
    link_.collected.clear();
}

void Reply::finish() {
    OutgoingMessage finished = finished_message(link_.collected);  // a stopped worker's tray fails: no finish()
    link_.stats.bytes_out += finished.size();
    link_.sink.send(Tag::finished, std::move(finished));
    link_.collected.clear();
}

}  // namespace mpitray
