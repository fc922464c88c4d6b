#include <mpitray/shadowframes/message.hpp>

#include <mpitray/core/frame_codec.hpp>
#include "wire.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace mpitray {
namespace {

constexpr char magic[4] = {'M', 'T', 'M', 'S'};
constexpr std::uint16_t message_version = 1;
constexpr std::size_t header_size = 32;
constexpr std::size_t descriptor_size = 24;

using wire::put;
using wire::take;

}  // namespace

std::size_t append_message(const std::shared_ptr<Buffer>& buffer, const MessageHeader& header,
                           const std::vector<FramePtr>& frames, std::span<const char* const> inputs, Remember remember,
                           Gaps* gaps) {
    // Payloads are left out only of frames that keep no views of the message.
    if (remember != Remember::nothing) gaps = nullptr;
    // The buffer grows once: the header, the descriptors, and every carried frame (exactly,
    // when the frames' sizes can be told; see encoded_size_hint).
    const std::size_t start = buffer->size();
    const std::size_t head = header_size + descriptor_size * frames.size();
    auto reference_of = [&inputs](const Frame& frame) -> std::optional<std::uint64_t> {
        const ByteView& pristine = frame.pristine_encoding();
        if (pristine.empty()) return std::nullopt;
        const auto input = std::find(inputs.begin(), inputs.end(), pristine.data());
        if (input == inputs.end()) return std::nullopt;
        return std::uint64_t(input - inputs.begin());
    };
    std::size_t known = start + head;
    for (const FramePtr& frame : frames)
        if (!reference_of(*frame)) known += encoded_size_hint(*frame);
    // Geometrically, so that a batch encoding many messages into one buffer does not move it
    // for each of them.
    if (known > buffer->capacity()) buffer->reserve(std::max(known, 2 * buffer->capacity()));
    buffer->resize(start + head);
    char* out = buffer->data() + start;
    wire::put_head(out, magic, message_version);
    put<std::uint64_t>(out, value(header.seq));
    put<std::uint32_t>(out, header.flags);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(frames.size()));
    put<std::int64_t>(out, header.busy_ns);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto reference = reference_of(*frames[i]);
        const std::uint64_t length =
            reference ? input_reference | *reference : append_frame(*frames[i], buffer, remember, gaps).size();
        out = buffer->data() + start + header_size + descriptor_size * i;  // the buffer may have moved
        put<std::uint64_t>(out, frames[i]->origin.position);
        put<std::uint64_t>(out, frames[i]->origin.lineage);
        put<std::uint64_t>(out, length);
    }
    return buffer->size() - start;
}

OutgoingMessage::OutgoingMessage(const MessageHeader& header, const std::vector<FramePtr>& frames,
                                 std::span<const char* const> inputs, Remember remember)
    : frame_count_(frames.size()) {
    auto buffer = std::make_shared<Buffer>();
    Gaps gaps{send_in_place_bytes, {}};
    append_message(buffer, header, frames, inputs, remember, &gaps);
    bytes_ = std::move(buffer);
    gaps_ = std::move(gaps.list);
}

SharedBuffer OutgoingMessage::bytes() const {
    for (const Gaps::Gap& gap : gaps_) std::memcpy(bytes_->data() + gap.offset, gap.bytes.data(), gap.bytes.size());
    gaps_.clear();
    return bytes_;
}

MessageHeader peek_header(const ByteView& bytes) {
    if (bytes.size() < header_size)
        throw SerializationError(fmt::format("not a protocol message ({} bytes)", bytes.size()));
    const char* in = bytes.data() + wire::head_size;
    MessageHeader header;
    header.seq = Seq{take<std::uint64_t>(in)};
    header.flags = take<std::uint32_t>(in);
    take<std::uint32_t>(in);
    header.busy_ns = take<std::int64_t>(in);
    return header;
}

Message parse_message(const ByteView& bytes, const std::vector<FramePtr>* inputs) {
    const char* in =
        wire::take_head(bytes, magic, message_version, header_size, "a protocol message", "protocol message");
    Message message;
    message.header.seq = Seq{take<std::uint64_t>(in)};
    message.header.flags = take<std::uint32_t>(in);
    const auto count = take<std::uint32_t>(in);
    message.header.busy_ns = take<std::int64_t>(in);
    if (bytes.size() < header_size + descriptor_size * std::size_t(count))
        throw SerializationError("protocol message is shorter than its frame list");

    std::size_t offset = header_size + descriptor_size * std::size_t(count);
    message.frames.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        FrameOrigin origin;
        origin.position = take<std::uint64_t>(in);
        origin.lineage = take<std::uint64_t>(in);
        const auto length = take<std::uint64_t>(in);
        if (length & input_reference) {
            const std::uint64_t input = length & ~input_reference;
            if (inputs == nullptr || input >= inputs->size())
                throw SerializationError(
                    fmt::format("protocol message frame {} names input frame {}, which is not known", i, input));
            const FramePtr& sent = (*inputs)[input];
            // Unchanged: the very frame that was sent; a second reference to it becomes a copy.
            bool repeated = false;
            for (const FramePtr& f : message.frames) repeated = repeated || f.get() == sent.get();
            message.frames.push_back(repeated ? std::make_shared<Frame>(*sent) : sent);
            continue;
        }
        if (length > bytes.size() - offset)
            throw SerializationError(fmt::format("protocol message frame {} runs past the message's end", i));
        try {
            FramePtr frame = decode_frame(bytes.sub(offset, length));
            frame->origin = origin;
            message.frames.push_back(std::move(frame));
        } catch (const SerializationError& e) {
            throw SerializationError(fmt::format("protocol message frame {}: {}", i, e.what()));
        }
        offset += length;
    }
    return message;
}

}  // namespace mpitray
