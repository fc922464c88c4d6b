#pragma once
// CRC-32C (Castagnoli), the checksum on every encoded frame. Uses the SSE4.2 instruction where
// the CPU has it (several GB/s) and a table otherwise. Debian has no packaged CRC-32C library.
#include <cstddef>
#include <cstdint>

namespace mpitray {

// CRC-32C of `size` bytes, continuing from `crc` (0 to start).
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0) noexcept;
// The same, copying the bytes to `destination` (which must not overlap them) on the way: one
// pass over them instead of a copy and then a sum.
std::uint32_t crc32c_copy(void* destination, const void* source, std::size_t size, std::uint32_t crc = 0) noexcept;

}  // namespace mpitray
