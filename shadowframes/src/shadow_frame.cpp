#include <mpitray/shadowframes/shadow_frame.hpp>

namespace mpitray {
namespace {
constexpr const char* shadow_key = "ShadowSeq";
}  // namespace

FramePtr make_shadow_frame(ShadowInfo info) {
    auto frame = make_frame(Stop::shadow());
    frame->put(shadow_key, std::vector<std::int64_t>{static_cast<std::int64_t>(value(info.seq)),
                                                     static_cast<std::int64_t>(info.flags)});
    return frame;
}

ShadowInfo shadow_info(const Frame& frame) {
    if (frame.stop() != Stop::shadow()) throw Error("not a shadow frame: " + frame.describe());
    const auto& words = frame.at<std::vector<std::int64_t>>(shadow_key);
    return {Seq{static_cast<std::uint64_t>(words.at(0))}, static_cast<std::uint32_t>(words.at(1))};
}

std::string tag_name(Tag tag) {
    switch (tag) {
        case Tag::metadata: return "metadata";
        case Tag::packet: return "packet";
        case Tag::end_of_stream: return "end_of_stream";
        case Tag::stop: return "stop";
        case Tag::batch: return "batch";
        case Tag::gathered: return "gathered";
        case Tag::gap: return "gap";
        case Tag::claims: return "claims";
        case Tag::result: return "result";
        case Tag::failure: return "failure";
        case Tag::finished: return "finished";
        case Tag::stats: return "stats";
    }
    return "tag " + std::to_string(static_cast<int>(tag));
}

}  // namespace mpitray
