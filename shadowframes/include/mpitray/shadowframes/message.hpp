#pragma once
// A protocol message: a header and zero or more frames with their origins, in one contiguous
// buffer. Frames a module made are encoded straight into it (and keep views of it as their
// encoding); frames that have an encoding are copied in once. One buffer, not a list of pieces,
// because MPI moves a contiguous buffer between processes in one copy (Open MPI's CMA
// single-copy), where a derived datatype over pieces went through its copy-in, copy-out pipeline
// at half the rate for 1 MiB frames. Large payloads of frames that keep no views of the message
// may instead be left out as gaps, each sent as a contiguous MPI message of its own from where it
// is, and received into its place (gathered.hpp), so the receiver still gets one buffer.
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

// Payloads of at least this size are sent from where they are (see Gaps), when a message's
// frames keep no views of it. 64 KiB frames went 8-12% faster that way at 2 to 9 ranks; 16 KiB
// frames neither gained nor lost (docs/benchmarks.md).
inline constexpr std::size_t send_in_place_bytes = 32 * 1024;

class OutgoingMessage {
public:
    OutgoingMessage() = default;
    // `inputs`: where the input frames' encodings begin; a frame still encoded at one of them is
    // sent as a reference to that input frame.
    // `remember`: whether the frames keep views of the message (append_frame). With
    // Remember::nothing, payloads of send_in_place_bytes or more are not copied in: they are gaps
    // (see gaps()), sent from where they are.
    OutgoingMessage(const MessageHeader& header, const std::vector<FramePtr>& frames,
                    std::span<const char* const> inputs = {}, Remember remember = Remember::encodings);
    // Bytes already laid out (a batch of messages, batch.hpp), with the payloads left out of them.
    explicit OutgoingMessage(std::shared_ptr<Buffer> bytes, std::vector<Gaps::Gap> gaps = {})
        : bytes_(std::move(bytes)), gaps_(std::move(gaps)) {}

    // The whole message. Gaps are filled (copied in) first, once.
    SharedBuffer bytes() const;
    std::size_t size() const noexcept { return bytes_ ? bytes_->size() : 0; }
    std::size_t frame_count() const noexcept { return frame_count_; }

    // For a sender that moves the gaps itself: the message with its gaps unwritten, and the gaps
    // (offsets in it, ascending).
    SharedBuffer bytes_with_gaps() const noexcept { return bytes_; }
    const std::vector<Gaps::Gap>& gaps() const noexcept { return gaps_; }

private:
    std::shared_ptr<Buffer> bytes_;  // only this message writes it (filling its gaps)
    mutable std::vector<Gaps::Gap> gaps_;
    std::size_t frame_count_ = 0;
};

// Encodes a message as OutgoingMessage does, at the end of `buffer` (a batch, batch.hpp); returns
// its size. With `gaps` and Remember::nothing, payloads of gaps->min_bytes or more are left out
// (append_frame); with Remember::encodings `gaps` is not used.
std::size_t append_message(const std::shared_ptr<Buffer>& buffer, const MessageHeader& header,
                           const std::vector<FramePtr>& frames, std::span<const char* const> inputs = {},
                           Remember remember = Remember::encodings, Gaps* gaps = nullptr);

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
