#pragma once
// CRC-32C (Castagnoli), the checksum on every encoded frame. From 256 bytes on, where the CPU
// has AVX-512 carry-less multiplies (VPCLMULQDQ), the bytes are folded 256 at a time (about
// 85 GB/s here); else three interleaved SSE4.2 crc32 streams (about 28 GB/s); else a table.
// Debian has no packaged CRC-32C library.
#include <cstddef>
#include <cstdint>

namespace mpitray {

// CRC-32C of `size` bytes, continuing from `crc` (0 to start).
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0) noexcept;
// The same, copying the bytes to `destination` (which must not overlap them) on the way: one
// pass over them instead of a copy and then a sum.
std::uint32_t crc32c_copy(void* destination, const void* source, std::size_t size, std::uint32_t crc = 0) noexcept;

namespace detail {
// Each way of computing it, for the tests to check every one this CPU has against the definition.
enum class Crc32cPath { table, sse42, folded };
bool crc32c_has(Crc32cPath path) noexcept;
// `destination` null: no copy. The folded path takes 256 bytes or more (the SSE4.2 one, less).
std::uint32_t crc32c_by(Crc32cPath path, void* destination, const void* source, std::size_t size,
                        std::uint32_t crc) noexcept;
}  // namespace detail

}  // namespace mpitray
