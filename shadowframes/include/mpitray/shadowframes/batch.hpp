#pragma once
// Several protocol messages in one MPI message (Tag::batch), so that small packets, and their
// results, pay the per-message cost of MPI once for several (docs/protocol.md, "Batches"):
//
//   magic "MTMB" (4), version (2), reserved (2), entry count (4), reserved (4)
//   per entry: tag (4), reserved (4), length (8)
//   then each entry's message, back to back
//
// An entry is any message its tag names (a packet, a result, a failure report), exactly as it
// would travel alone.
#include <mpitray/shadowframes/message.hpp>

#include <utility>
#include <vector>

namespace mpitray {

struct BatchEntry {
    Tag tag{};
    ByteView bytes;  // a view into the batch
};

// Copies the messages into one batch message.
OutgoingMessage make_batch(const std::vector<std::pair<Tag, OutgoingMessage>>& messages);
// The entries of a received batch. Throws SerializationError when it is damaged.
std::vector<BatchEntry> parse_batch(const ByteView& bytes);

}  // namespace mpitray
