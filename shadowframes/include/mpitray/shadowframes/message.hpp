#pragma once
// A protocol message: a header and zero or more frames with their origins, in one contiguous
// buffer. Frames a module made are encoded straight into it (and keep views of it as their
// encoding); frames that have an encoding are copied in once. One buffer, not a list of pieces,
// because MPI moves a contiguous buffer between processes in one copy (Open MPI's CMA
// single-copy), where a derived datatype over pieces went through its copy-in, copy-out pipeline
// at half the rate for 1 MiB frames.
//
//   header   magic "MTMS" (4), version (2), reserved (2), seq (8), flags (4), frame count (4),
//            busy nanoseconds (8)
//   per frame: input position (8), lineage (8), encoded length (8)
//   then each frame's encoding (docs/file-format.md), back to back
//
// A result may name an input frame instead of carrying it: when a frame leaves the inner section
// unchanged (its encoding is still the bytes it arrived as), the length field holds
// `input_reference | i` and no bytes follow; the dispatcher, which kept the packet's input,
// uses its input frame i. Frames that pass through are not sent back.
#include <mpitray/core/bytes.hpp>
#include <mpitray/core/frame.hpp>
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/shadowframes/protocol.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace mpitray {

struct MessageHeader {
    Seq seq{};
    std::uint32_t flags = 0;
    std::int64_t busy_ns = 0;  // results: time the worker spent on this input
};

inline constexpr std::uint64_t input_reference = std::uint64_t{1} << 63;

class OutgoingMessage {
public:
    OutgoingMessage() = default;
    // `inputs`: where the input frames' encodings begin; a frame still encoded at one of them is
    // sent as a reference to that input frame.
    // `remember`: whether the frames keep views of the message (append_frame).
    OutgoingMessage(const MessageHeader& header, const std::vector<FramePtr>& frames,
                    std::span<const char* const> inputs = {}, Remember remember = Remember::encodings);
    // Bytes already laid out (a batch of messages, batch.hpp).
    explicit OutgoingMessage(SharedBuffer bytes) : bytes_(std::move(bytes)) {}

    // The whole message.
    const SharedBuffer& bytes() const noexcept { return bytes_; }
    std::size_t size() const noexcept { return bytes_ ? bytes_->size() : 0; }
    std::size_t frame_count() const noexcept { return frame_count_; }

private:
    SharedBuffer bytes_;
    std::size_t frame_count_ = 0;
};

// Encodes a message as OutgoingMessage does, at the end of `buffer` (a batch, batch.hpp); returns
// its size.
std::size_t append_message(const std::shared_ptr<Buffer>& buffer, const MessageHeader& header,
                           const std::vector<FramePtr>& frames, std::span<const char* const> inputs = {},
                           Remember remember = Remember::encodings);

struct Message {
    MessageHeader header;
    std::vector<FramePtr> frames;  // origins restored; payloads lazy views into the message
};

// Parses a received message. `inputs` resolves references to input frames (a result to the
// packet it answers). Throws SerializationError when it is damaged.
Message parse_message(const ByteView& bytes, const std::vector<FramePtr>* inputs = nullptr);
// Only the header, to find which input a message answers before parsing it.
MessageHeader peek_header(const ByteView& bytes);

}  // namespace mpitray
