#pragma once
// Several protocol messages in one MPI message (Tag::batch), so that small packets, and their
// results, pay the per-message cost of MPI once for several (docs/protocol.md, "Batches"):
//
//   magic "MTMB" (4), version (2), reserved (2), entry count (4), reserved (4)
//   per entry: tag (4), reserved (4), length (8), then the entry's message
//
// An entry is any message its tag names (a packet, a result, a failure report), exactly as it
// would travel alone. Each entry's message follows its own length, so a batch is built by
// encoding each message straight into it, never copying it there afterwards.
#include <mpitray/shadowframes/message.hpp>

#include <span>
#include <utility>
#include <vector>

namespace mpitray {

struct BatchEntry {
    Tag tag{};
    ByteView bytes;  // a view into the batch
};

// A batch as it is filled; finish() hands it over.
class BatchBuilder {
public:
    // `expected_bytes`: about how large the batch will grow (its buffer is sized for it once).
    explicit BatchBuilder(std::size_t expected_bytes = 0);

    // Encodes a message (as OutgoingMessage would, leaving large payloads out with
    // Remember::nothing) as the next entry; returns the message's size.
    std::size_t add(Tag tag, const MessageHeader& header, const std::vector<FramePtr>& frames,
                    std::span<const char* const> inputs = {}, Remember remember = Remember::encodings);
    // Copies a message made already as the next entry.
    void add(Tag tag, const OutgoingMessage& message);

    std::size_t count() const noexcept { return count_; }
    // The batch so far, its own header and entry headers included.
    std::size_t size() const noexcept { return buffer_->size(); }
    // The batch message; the builder is not used after.
    OutgoingMessage finish();

private:
    std::size_t open_entry(Tag tag);  // writes the entry's head; where its length goes
    void close_entry(std::size_t length_at, std::size_t length);

    std::shared_ptr<Buffer> buffer_;
    Gaps gaps_{send_in_place_bytes, {}};
    std::size_t count_ = 0;
};

// Copies the messages into one batch message.
OutgoingMessage make_batch(const std::vector<std::pair<Tag, OutgoingMessage>>& messages);
// The entries of a received batch. Throws SerializationError when it is damaged.
std::vector<BatchEntry> parse_batch(const ByteView& bytes);

}  // namespace mpitray
