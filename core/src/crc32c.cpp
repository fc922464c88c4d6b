#include <mpitray/core/crc32c.hpp>

#include <array>
#include <cstring>
#include <vector>

namespace mpitray {
namespace {

constexpr std::uint32_t castagnoli_reflected = 0x82F63B78u;

constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t crc = i;
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? castagnoli_reflected : 0u);
        table[i] = crc;
    }
    return table;
}

constexpr auto table = make_table();

// `out`, when not null, gets a copy of the bytes summed (crc32c_copy), and moves past them.
std::uint32_t crc32c_table(const unsigned char* p, std::size_t size, std::uint32_t crc, unsigned char*& out) noexcept {
    if (out != nullptr) {
        std::memcpy(out, p, size);
        out += size;
    }
    while (size--) crc = table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
#define MPITRAY_SSE42 __attribute__((target("sse4.2")))

// One stream: a crc32 instruction per 8 bytes. Each depends on the one before, so one stream runs
// at the instruction's latency (3 cycles), a third of what the CPU could do.
// Copying (Copy: to `out`, which moves past the bytes) costs the stores only: each word is
// loaded once, for the sum and the copy.
template <bool Copy>
MPITRAY_SSE42 std::uint32_t crc32c_sse42_serial(const unsigned char* p, std::size_t size, std::uint32_t crc,
                                                unsigned char*& out) noexcept {
    std::uint64_t crc64 = crc;
    while (size >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        if constexpr (Copy) {
            std::memcpy(out, &word, 8);
            out += 8;
        }
        crc64 = __builtin_ia32_crc32di(crc64, word);
        p += 8;
        size -= 8;
    }
    auto crc32 = static_cast<std::uint32_t>(crc64);
    while (size--) {
        if constexpr (Copy) *out++ = *p;
        crc32 = __builtin_ia32_crc32qi(crc32, *p++);
    }
    return crc32;
}

// Advancing a CRC register over `length` zero bytes is linear in the register's bits, so it is
// four table lookups, one per byte of the register. Such a table lets three independent streams
// be joined: crc(A B C) = advance(advance(crc(A)) ^ crc0(B)) ^ crc0(C), |B| = |C| = length.
class ZerosOperator {
public:
    explicit MPITRAY_SSE42 ZerosOperator(std::size_t length) {
        const std::vector<unsigned char> zeros(length, 0);
        std::uint32_t of_bit[32];
        unsigned char* no_copy = nullptr;
        for (int bit = 0; bit < 32; ++bit)
            of_bit[bit] = crc32c_sse42_serial<false>(zeros.data(), length, std::uint32_t{1} << bit, no_copy);
        for (int k = 0; k < 4; ++k)
            for (std::uint32_t b = 0; b < 256; ++b) {
                std::uint32_t value = 0;
                for (int bit = 0; bit < 8; ++bit)
                    if (b & (1u << bit)) value ^= of_bit[8 * k + bit];
                table_[k][b] = value;
            }
    }
    std::uint32_t advance(std::uint32_t crc) const noexcept {
        return table_[0][crc & 0xffu] ^ table_[1][(crc >> 8) & 0xffu] ^ table_[2][(crc >> 16) & 0xffu] ^
               table_[3][crc >> 24];
    }

private:
    std::uint32_t table_[4][256];
};

// Three streams of `lane` bytes each at a time, interleaved so the CPU overlaps their latencies.
template <bool Copy>
MPITRAY_SSE42 std::uint32_t crc32c_three_lanes(const unsigned char*& p, std::size_t& size, std::uint32_t crc,
                                               std::size_t lane, const ZerosOperator& over_lane,
                                               unsigned char*& out) noexcept {
    while (size >= 3 * lane) {
        std::uint64_t a = crc, b = 0, c = 0;
        for (std::size_t at = 0; at < lane; at += 8) {
            std::uint64_t wa, wb, wc;
            std::memcpy(&wa, p + at, 8);
            std::memcpy(&wb, p + lane + at, 8);
            std::memcpy(&wc, p + 2 * lane + at, 8);
            a = __builtin_ia32_crc32di(a, wa);
            b = __builtin_ia32_crc32di(b, wb);
            c = __builtin_ia32_crc32di(c, wc);
        }
        crc = over_lane.advance(over_lane.advance(std::uint32_t(a)) ^ std::uint32_t(b)) ^ std::uint32_t(c);
        // The block was just read into the nearest cache: copied from there, as a block. (Storing
        // each word as it is summed was slower than a copy and a sum apart: three streams of
        // stores whose addresses alias the loads' 4 KiB apart.)
        if constexpr (Copy) {
            std::memcpy(out, p, 3 * lane);
            out += 3 * lane;
        }
        p += 3 * lane;
        size -= 3 * lane;
    }
    return crc;
}

// About 3x one stream from 4 KiB up (bench/frame_codec_bench.cpp); tests/core/crc32c_test.cpp
// checks it against the table at every length and alignment around the lane sizes.
template <bool Copy>
MPITRAY_SSE42 std::uint32_t crc32c_sse42(const unsigned char* p, std::size_t size, std::uint32_t crc,
                                         unsigned char*& out) noexcept {
    constexpr std::size_t long_lane = 4096, short_lane = 256;
    static const ZerosOperator over_long(long_lane), over_short(short_lane);
    crc = crc32c_three_lanes<Copy>(p, size, crc, long_lane, over_long, out);
    crc = crc32c_three_lanes<Copy>(p, size, crc, short_lane, over_short, out);
    return crc32c_sse42_serial<Copy>(p, size, crc, out);
}

bool cpu_has_sse42() noexcept {
    static const bool has = __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    unsigned char* no_copy = nullptr;
    crc = ~crc;
#if defined(__x86_64__)
    if (cpu_has_sse42()) return ~crc32c_sse42<false>(p, size, crc, no_copy);
#endif
    return ~crc32c_table(p, size, crc, no_copy);
}

std::uint32_t crc32c_copy(void* destination, const void* source, std::size_t size, std::uint32_t crc) noexcept {
    const auto* p = static_cast<const unsigned char*>(source);
    auto* out = static_cast<unsigned char*>(destination);
    crc = ~crc;
#if defined(__x86_64__)
    if (cpu_has_sse42()) return ~crc32c_sse42<true>(p, size, crc, out);
#endif
    return ~crc32c_table(p, size, crc, out);
}

}  // namespace mpitray
