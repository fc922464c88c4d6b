#pragma once
// A message whose large payloads travel as MPI messages of their own, straight from where they
// are (docs/protocol.md, "Large messages over MPI"). The sender's copy of a 1 MiB payload into
// the message cost rank 0 as much as everything else it does for the packet; sent from its own
// memory, the receiver's single copy (Open MPI's CMA) is the only one.
//
// The head (Tag::gathered) carries everything but the gaps, and where the gaps go:
//
//   magic "MTGA" (4), version (2), reserved (2), the message's tag (4), gap count (4),
//   the whole message's size (8); per gap: offset (8), size (8); then the message's bytes outside
//   the gaps, in order
//
// and one Tag::gap message per gap follows it from the same sender, in the gaps' order. The
// receiver puts the head's bytes in place and receives each gap's message into its place, so it
// holds the one contiguous message the sender would have sent.
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/shadowframes/protocol.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace mpitray {

// The head of a message with gaps (offsets ascending, inside the message, not overlapping).
std::shared_ptr<Buffer> gathered_head(Tag tag, const Buffer& with_gaps, const std::vector<Gaps::Gap>& gaps);

// A received head, opened: the whole message with the head's bytes in place, and the gaps still
// to be received into it.
struct Scattered {
    struct Span {
        std::size_t offset = 0;
        std::size_t size = 0;
    };
    Tag tag{};
    std::shared_ptr<Buffer> whole;
    std::vector<Span> gaps;
};

// Throws SerializationError when the head is damaged.
Scattered open_gathered(const ByteView& head);

}  // namespace mpitray
