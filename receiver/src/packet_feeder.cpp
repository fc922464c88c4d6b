#include <mpitray/receiver/packet_feeder.hpp>

#include <mpitray/shadowframes/shadow_frame.hpp>

namespace mpitray {

void PacketFeeder::feed(const Message& message, std::size_t message_bytes, const std::function<void(FramePtr)>& push) {
    const bool metadata = (message.header.flags & message_flags::metadata) != 0;
    link_.stats.bytes_in += message_bytes;
    ++(metadata ? link_.stats.metadata : link_.stats.packets);
    link_.input_started_ns = monotonic_ns();
    link_.inputs.clear();
    for (const FramePtr& frame : message.frames) link_.inputs.push_back(frame->pristine_encoding().data());
    try {
        for (const FramePtr& frame : message.frames) push(frame);
        push(make_shadow_frame({message.header.seq, message.header.flags}));
    } catch (const Error& e) {
        link_.collected.clear();
        ++link_.stats.failures;
        FailureReport report{message.header.seq, rank_, host_, {}, {}, e.what()};
        if (const auto* module_error = dynamic_cast<const ModuleError*>(&e)) {
            report.module = module_error->module();
            report.frame = module_error->frame();
            report.message = module_error->message();
        }
        link_.answer(Tag::failure, failure_message(report, message.header.flags));
    }
    link_.inputs.clear();
    link_.stats.busy_ns += monotonic_ns() - link_.input_started_ns;
}

}  // namespace mpitray
