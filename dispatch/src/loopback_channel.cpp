#include "loopback_channel.hpp"

#include <mpitray/reply/reply.hpp>
#include <mpitray/shadowframes/batch.hpp>

namespace mpitray {

LoopbackChannel::LoopbackChannel(std::unique_ptr<Tray> inner, std::string host)
    : tray_(std::move(inner)), host_(std::move(host)), link_(*this), feeder_(link_, 0, host_) {
    auto reply = std::make_unique<Reply>(link_);
    reply->identify("Reply", "Reply");
    tray_->add(std::move(reply));
}

void LoopbackChannel::send(int /*worker*/, Tag tag, OutgoingMessage message) {
    switch (tag) {
        case Tag::metadata:
        case Tag::packet: feed(ByteView(message.bytes())); break;
        case Tag::batch:  // answered one by one: nothing is saved by batching within a process
            for (const BatchEntry& entry : parse_batch(ByteView(message.bytes()))) feed(entry.bytes);
            break;
        case Tag::end_of_stream: finish(false); break;
        case Tag::stop: finish(true); break;
        default: throw Error("the in-process worker got a " + tag_name(tag) + " message");
    }
}

void LoopbackChannel::feed(const ByteView& bytes) {
    // Through the bytes, exactly as an MPI worker gets them.
    const Message parsed = parse_message(bytes);
    tray_->drop_filled_summaries();  // what a packet that failed before this one filled
    feeder_.feed(parsed, bytes.size(), [this](FramePtr frame) { tray_->feed(std::move(frame)); });
}

void LoopbackChannel::finish(bool stopped) {
    if (finished_) return;
    finished_ = true;
    link_.stopped = stopped;
    if (stopped) {
        tray_->fail("the run was stopped");
    } else {
        try {
            tray_->drop_filled_summaries();  // what a last packet that failed filled
            tray_->finish();                 // the Reply sends the finished message
        } catch (const std::exception& e) {
            tray_->fail(message_of(e));  // inner outputs close as failed, as on a worker
            throw;
        }
    }
    std::vector<ModuleUsage> usage = tray_->usage();
    usage.pop_back();  // the Reply
    end_worker(link_, 0, host_, std::move(usage), tray_->environment().context.find<TableService>());
}

void LoopbackChannel::send(Tag tag, OutgoingMessage message) { queue_.push_back({0, tag, message.bytes()}); }

std::optional<Incoming> LoopbackChannel::poll() {
    if (queue_.empty()) return std::nullopt;
    Incoming next = std::move(queue_.front());
    queue_.pop_front();
    return next;
}

}  // namespace mpitray
