#include <mpitray/core/crc32c.hpp>

#include <array>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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
    if (out != nullptr && size > 0) {
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

// --- Folding with carry-less multiplication (AVX-512 VPCLMULQDQ), about 3x the crc32 instruction.
//
// In the reflected bit order of this CRC, a 128-bit block X (its first 8 bytes `lo`, then `hi`)
// is the polynomial LO(x)·x^64 + HI(x), and what matters of the whole message is its remainder
// modulo P. Moving X forward by D bits, onto a block that far ahead, is multiplying it by x^D.
// A carry-less multiply of two 64-bit reflected values gives their product times x, so
//   X·x^D ≡ clmul(lo, x^(D+63) mod P) + clmul(hi, x^(D-1) mod P),
// a 128-bit value that is simply added (XOR) to the block D bits ahead. Folding every block
// into the last one leaves a 16-byte message with the same remainder, which the crc32
// instruction finishes. The constants are computed here from P, not copied from anywhere.

// x^n mod P as a 64-bit reflected value: the coefficient of x^d in bit 63 - d.
std::uint64_t x_to_the(unsigned n) noexcept {
    constexpr std::uint64_t p = 0x1EDC6F41u;  // P without its x^32 term, most significant first
    std::uint64_t r = 1;                      // the polynomial 1, most significant bit first
    for (unsigned i = 0; i < n; ++i) {
        r <<= 1;
        if (r & (std::uint64_t{1} << 32)) r ^= (std::uint64_t{1} << 32) | p;
    }
    std::uint64_t reflected = 0;
    for (unsigned d = 0; d < 32; ++d)
        if (r & (std::uint64_t{1} << d)) reflected |= std::uint64_t{1} << (63 - d);
    return reflected;
}

#define MPITRAY_VPCLMUL __attribute__((target("avx512f,avx512vl,avx512bw,vpclmulqdq,pclmul,sse4.2")))

// The pair of constants that moves a block `bits` forward (lo's, then hi's).
MPITRAY_VPCLMUL __m128i fold_constants(unsigned bits) noexcept {
    return _mm_set_epi64x(static_cast<long long>(x_to_the(bits - 1)), static_cast<long long>(x_to_the(bits + 63)));
}

MPITRAY_VPCLMUL inline __m128i fold(__m128i x, __m128i k) noexcept {
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

MPITRAY_VPCLMUL inline __m512i fold(__m512i x, __m512i k) noexcept {
    return _mm512_xor_si512(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11));
}

// The masked forms, with every lane selected: the plain ones start from an undefined register,
// which GCC 12 warns about inside its own headers.
MPITRAY_VPCLMUL inline __m512i broadcast(__m128i x) noexcept {
    return _mm512_mask_broadcast_i32x4(_mm512_setzero_si512(), 0xffff, x);
}

template <int Lane>
MPITRAY_VPCLMUL inline __m128i lane(__m512i x) noexcept {
    return _mm512_mask_extracti32x4_epi32(_mm_setzero_si128(), 0xf, x, Lane);
}

struct FoldConstants {
    __m512i by_256_bytes, by_64_bytes;
    __m128i by_48_bytes, by_32_bytes, by_16_bytes;
};

MPITRAY_VPCLMUL const FoldConstants& fold_constants() noexcept {
    static const FoldConstants k{broadcast(fold_constants(256 * 8)), broadcast(fold_constants(64 * 8)),
                                 fold_constants(48 * 8), fold_constants(32 * 8), fold_constants(16 * 8)};
    return k;
}

template <bool Copy>
MPITRAY_VPCLMUL inline __m512i load_block(const unsigned char* p, unsigned char* out, std::size_t at) noexcept {
    const __m512i v = _mm512_loadu_si512(p + at);
    if constexpr (Copy) _mm512_storeu_si512(out + at, v);
    return v;
}

// At least 256 bytes: four 64-byte accumulators run 256 bytes apart, so the multiplies of one
// step overlap; then they, their 16-byte lanes and the whole 16-byte blocks left fold into one
// block. Copying, each 64-byte block is stored as soon as it is loaded.
template <bool Copy>
MPITRAY_VPCLMUL std::uint32_t crc32c_folded(const unsigned char* p, std::size_t size, std::uint32_t crc,
                                            unsigned char*& out) noexcept {
    const FoldConstants& k = fold_constants();
    __m512i a0 =
        _mm512_xor_si512(load_block<Copy>(p, out, 0), _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(crc))));
    __m512i a1 = load_block<Copy>(p, out, 64), a2 = load_block<Copy>(p, out, 128), a3 = load_block<Copy>(p, out, 192);
    std::size_t at = 256;
    for (; at + 256 <= size; at += 256) {
        a0 = _mm512_xor_si512(fold(a0, k.by_256_bytes), load_block<Copy>(p, out, at));
        a1 = _mm512_xor_si512(fold(a1, k.by_256_bytes), load_block<Copy>(p, out, at + 64));
        a2 = _mm512_xor_si512(fold(a2, k.by_256_bytes), load_block<Copy>(p, out, at + 128));
        a3 = _mm512_xor_si512(fold(a3, k.by_256_bytes), load_block<Copy>(p, out, at + 192));
    }
    a1 = _mm512_xor_si512(a1, fold(a0, k.by_64_bytes));
    a2 = _mm512_xor_si512(a2, fold(a1, k.by_64_bytes));
    a3 = _mm512_xor_si512(a3, fold(a2, k.by_64_bytes));
    for (; at + 64 <= size; at += 64) a3 = _mm512_xor_si512(fold(a3, k.by_64_bytes), load_block<Copy>(p, out, at));
    __m128i x = lane<3>(a3);
    x = _mm_xor_si128(x, fold(lane<0>(a3), k.by_48_bytes));
    x = _mm_xor_si128(x, fold(lane<1>(a3), k.by_32_bytes));
    x = _mm_xor_si128(x, fold(lane<2>(a3), k.by_16_bytes));
    for (; at + 16 <= size; at += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
        if constexpr (Copy) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + at), v);
        x = _mm_xor_si128(fold(x, k.by_16_bytes), v);
    }
    std::uint64_t crc64 = __builtin_ia32_crc32di(0, static_cast<std::uint64_t>(_mm_cvtsi128_si64(x)));
    crc64 = __builtin_ia32_crc32di(crc64, static_cast<std::uint64_t>(_mm_extract_epi64(x, 1)));
    if constexpr (Copy) out += at;
    return crc32c_sse42_serial<Copy>(p + at, size - at, static_cast<std::uint32_t>(crc64), out);
}

bool cpu_has_vpclmul() noexcept {
    static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("vpclmulqdq") &&
                            __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

}  // namespace

namespace detail {

bool crc32c_has(Crc32cPath path) noexcept {
#if defined(__x86_64__)
    if (path == Crc32cPath::folded) return cpu_has_vpclmul();
    if (path == Crc32cPath::sse42) return cpu_has_sse42();
#endif
    return path == Crc32cPath::table;
}

std::uint32_t crc32c_by(Crc32cPath path, void* destination, const void* source, std::size_t size,
                        std::uint32_t crc) noexcept {
    const auto* p = static_cast<const unsigned char*>(source);
    auto* out = static_cast<unsigned char*>(destination);
    const bool copy = out != nullptr;
    crc = ~crc;
#if defined(__x86_64__)
    if (path == Crc32cPath::folded && size >= 256)
        return ~(copy ? crc32c_folded<true>(p, size, crc, out) : crc32c_folded<false>(p, size, crc, out));
    if (path != Crc32cPath::table)
        return ~(copy ? crc32c_sse42<true>(p, size, crc, out) : crc32c_sse42<false>(p, size, crc, out));
#endif
    return ~crc32c_table(p, size, crc, out);
}

}  // namespace detail

namespace {
detail::Crc32cPath best_path() noexcept {
    using detail::Crc32cPath;
    static const Crc32cPath best = detail::crc32c_has(Crc32cPath::folded)  ? Crc32cPath::folded
                                   : detail::crc32c_has(Crc32cPath::sse42) ? Crc32cPath::sse42
                                                                           : Crc32cPath::table;
    return best;
}
}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc) noexcept {
    return detail::crc32c_by(best_path(), nullptr, data, size, crc);
}

std::uint32_t crc32c_copy(void* destination, const void* source, std::size_t size, std::uint32_t crc) noexcept {
    return detail::crc32c_by(best_path(), destination, source, size, crc);
}

}  // namespace mpitray
