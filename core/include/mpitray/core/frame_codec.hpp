#pragma once
// The frame encoding: the same bytes in files and in MPI messages (docs/file-format.md).
//
//   offset  size  field
//   0       4     magic "MTFR"
//   4       2     format version (little-endian), currently 1
//   6       1     stop
//   7       1     reserved, 0
//   8       4     key count
//   then per key, in key order:
//           4     key length, then the key
//           4     type-name length, then the type name
//           8     payload length, then the payload (a Boost binary archive, no header)
//   end     4     CRC-32C of every byte before it
//
// Integers are little-endian. Payloads are 64-bit sized, so a frame may exceed 4 GiB.
#include <mpitray/core/bytes.hpp>
#include <mpitray/core/frame.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace mpitray {

inline constexpr std::uint16_t frame_format_version = 1;
inline constexpr std::size_t frame_header_size = 12;
inline constexpr std::size_t frame_trailer_size = 4;

// The frame's own keys, encoded. A frame unchanged since it was decoded (or last encoded)
// returns those bytes, without copying.
ByteView encode_frame(const Frame& frame);

// Whether a frame encoded into a buffer keeps views of it (its encoding, its fresh objects'
// bytes), so that it is not encoded again; which keeps the buffer alive as long as the frame.
enum class Remember { encodings, nothing };

// Large payloads left out of an encoding. Each one's place in the buffer is reserved but not
// written, and it is listed with where its bytes are, so that a sender can send them from there
// instead of copying them in (a protocol message over MPI, shadowframes/mpi.hpp). The checksum
// covers them as if they had been copied.
// A gap is an address, not an offset: its bytes must not lie in a buffer that may still grow.
// append_frame copies a payload that lies in the buffer it appends to; a payload in another
// buffer still being filled would dangle once that buffer moves, so encode into one buffer at a
// time while gaps are taken.
struct Gaps {
    struct Gap {
        std::size_t offset = 0;             // in the buffer
        std::span<const char> bytes;        // what belongs there
        std::shared_ptr<const void> owner;  // keeps `bytes` alive and unchanged
    };
    // Payloads at hand (an encoded object's bytes, a vector's elements, a whole frame's encoding)
    // of at least this many bytes are left out.
    std::size_t min_bytes = 0;
    std::vector<Gap> list;
};

// Appends the frame's encoding to `buffer` and returns the view of it there. A frame that has an
// encoding is copied; one that has none is encoded in place, and (Remember::encodings) it and its
// fresh objects keep views of `buffer` (so a protocol message is one contiguous buffer with each
// payload copied once). Nothing may change the appended bytes afterwards.
// With `gaps`, large payloads are left out and listed there instead (only with Remember::nothing:
// the returned view then has unwritten bytes, and nothing may read it before the gaps are filled).
ByteView append_frame(const Frame& frame, const std::shared_ptr<Buffer>& buffer,
                      Remember remember = Remember::encodings, Gaps* gaps = nullptr);

// The size of the frame's encoding, exact when it has one or its objects' types can tell their
// size, smaller otherwise: for reserving buffers.
std::size_t encoded_size_hint(const Frame& frame);

enum class Checksum { verify, already_verified };

// Decodes a whole encoded frame. Payloads stay bytes (views into `bytes`) until asked for.
// Throws SerializationError on a bad magic, version, length or checksum.
// `bytes` may be a part of a larger buffer (a message holding several frames).
FramePtr decode_frame(ByteView bytes, Checksum checksum = Checksum::verify);
inline FramePtr decode_frame(SharedBuffer bytes, Checksum checksum = Checksum::verify) {
    return decode_frame(ByteView(std::move(bytes)), checksum);
}

// The checksum stored in an encoded frame's trailer (no verification).
std::uint32_t stored_checksum(std::span<const char> encoded);

}  // namespace mpitray
