#pragma once
// The words of the dispatch protocol (docs/protocol.md): message tags and sequence numbers.
#include <cstdint>
#include <string>

namespace mpitray {

// A packet's or metadata frame's place in the dispatcher's input: 0, 1, 2, ... in stream order.
enum class Seq : std::uint64_t {};

constexpr std::uint64_t value(Seq seq) noexcept { return static_cast<std::uint64_t>(seq); }
constexpr Seq next(Seq seq) noexcept { return Seq{value(seq) + 1}; }

// MPI tags. Dispatcher to worker: claims, metadata, packet, end_of_stream, stop. Worker to dispatcher:
// result, failure, finished, stats. A worker's messages reach the dispatcher in the order sent.
enum class Tag : int {
    metadata = 11,       // a metadata frame, for every worker
    packet = 12,         // a packet, for one worker
    end_of_stream = 13,  // no more input: finish the inner tray and report
    stop = 14,           // abandon the run (after a failure elsewhere): report and end
    batch = 15,          // several packets, or several results and failure reports, in one (batch.hpp)
    gathered = 16,       // transport: a message whose large payloads follow as gap messages (gathered.hpp)
    gap = 17,            // transport: one such payload
    claims = 18,         // where the claim board is, once, to a worker on rank 0's host (claim_board.hpp)
    result = 21,         // what the inner section made of one packet or metadata frame
    failure = 22,        // a module threw on one packet or metadata frame
    finished = 23,       // the frames the inner section pushed in Finish
    stats = 24,          // the worker's usage, its last message
};

std::string tag_name(Tag tag);

// Flags carried in a message header.
namespace message_flags {
inline constexpr std::uint32_t metadata = 1u << 0;  // the input is a metadata frame
inline constexpr std::uint32_t reply = 1u << 1;     // send the result back (one worker does for metadata)
}  // namespace message_flags

}  // namespace mpitray
