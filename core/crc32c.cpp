#include <mpitray/core/crc32c.hpp>

#include <array>
#include <cstring>

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

std::uint32_t crc32c_table(const unsigned char* p, std::size_t size, std::uint32_t crc) noexcept {
    while (size--) crc = table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(const unsigned char* p, std::size_t size,
                                                              std::uint32_t crc) noexcept {
    std::uint64_t crc64 = crc;
    while (size >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        crc64 = __builtin_ia32_crc32di(crc64, word);
        p += 8;
        size -= 8;
    }
    auto crc32 = static_cast<std::uint32_t>(crc64);
    while (size--) crc32 = __builtin_ia32_crc32qi(crc32, *p++);
    return crc32;
}

bool cpu_has_sse42() noexcept {
    static const bool has = __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    crc = ~crc;
#if defined(__x86_64__)
    if (cpu_has_sse42()) return ~crc32c_sse42(p, size, crc);
#endif
    return ~crc32c_table(p, size, crc);
}

}  // namespace mpitray
