#include <mpitray/core/crc32c.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

using mpitray::crc32c;
using mpitray::detail::crc32c_by;
using mpitray::detail::Crc32cPath;

namespace {
// Every way this CPU can compute it (the table always; SSE4.2 and AVX-512 folding where present).
std::vector<Crc32cPath> available_paths() {
    std::vector<Crc32cPath> paths;
    for (const Crc32cPath path : {Crc32cPath::table, Crc32cPath::sse42, Crc32cPath::folded})
        if (mpitray::detail::crc32c_has(path)) paths.push_back(path);
    return paths;
}
}  // namespace

TEST(Crc32c, MatchesTheStandardCheckValue) {
    // The check value of CRC-32C (RFC 3720, appendix B.4): "123456789" -> 0xE3069283.
    const std::string text = "123456789";
    EXPECT_EQ(crc32c(text.data(), text.size()), 0xE3069283u);
}

TEST(Crc32c, ContinuesAcrossPieces) {
    std::string text(1000, '\0');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 31 + 7);
    const auto whole = crc32c(text.data(), text.size());
    for (std::size_t split : {1u, 7u, 8u, 13u, 500u, 999u}) {
        const auto first = crc32c(text.data(), split);
        EXPECT_EQ(crc32c(text.data() + split, text.size() - split, first), whole) << "split at " << split;
    }
}

TEST(Crc32c, SeesEveryFlippedBit) {
    std::string text(64, 'x');
    const auto clean = crc32c(text.data(), text.size());
    for (std::size_t byte = 0; byte < text.size(); ++byte) {
        text[byte] ^= 0x10;
        EXPECT_NE(crc32c(text.data(), text.size()), clean);
        text[byte] ^= 0x10;
    }
}

// The hardware path runs three interleaved streams over long inputs and joins them; the table
// path is the plain definition. They must agree at every length around the lane sizes (256 and
// 4096 bytes, three lanes at a time), from any alignment and any starting value.
TEST(Crc32c, AgreesWithTheBytewiseDefinitionAtEveryLength) {
    std::vector<unsigned char> data(3 * 4096 * 2 + 3 * 256 + 64);
    std::uint32_t x = 12345;
    for (auto& byte : data) byte = static_cast<unsigned char>((x = x * 1103515245u + 12345u) >> 24);
    auto bytewise = [](const unsigned char* p, std::size_t n, std::uint32_t crc) {
        crc = ~crc;
        while (n--) {
            crc ^= *p++;
            for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
        }
        return ~crc;
    };
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n < 1000; ++n) lengths.push_back(n);
    for (std::size_t edge : {3 * 256, 3 * 4096, 2 * 3 * 4096, 3 * 4096 + 3 * 256})
        for (std::size_t n = edge - 9; n <= edge + 9; ++n) lengths.push_back(n);
    lengths.push_back(data.size() - 3);
    for (std::size_t offset : {0, 1, 3}) {
        for (std::size_t n : lengths) {
            const std::uint32_t expected = bytewise(data.data() + offset, n, 0x1234u);
            ASSERT_EQ(crc32c(data.data() + offset, n, 0x1234u), expected) << "length " << n << ", offset " << offset;
            for (const Crc32cPath path : available_paths())
                ASSERT_EQ(crc32c_by(path, nullptr, data.data() + offset, n, 0x1234u), expected)
                    << "path " << int(path) << ", length " << n << ", offset " << offset;
        }
    }
}

// The copying sum gives the same sum and an exact copy, by every path, at every length around the
// lane sizes and from any alignment of source and destination; it writes nothing past the copy.
TEST(Crc32c, CopyingSumsAndCopiesExactly) {
    std::vector<unsigned char> data(3 * 4096 * 2 + 3 * 256 + 64);
    std::uint32_t x = 777;
    for (auto& byte : data) byte = static_cast<unsigned char>((x = x * 1103515245u + 12345u) >> 24);
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n < 300; ++n) lengths.push_back(n);
    for (std::size_t edge : {3 * 256, 3 * 4096, 2 * 3 * 4096, 3 * 4096 + 3 * 256})
        for (std::size_t n = edge - 9; n <= edge + 9; ++n) lengths.push_back(n);
    lengths.push_back(data.size() - 3);
    std::vector<unsigned char> target(data.size() + 16);
    auto check = [&](std::size_t from, std::size_t to, std::size_t n, const std::function<std::uint32_t()>& copy) {
        std::fill(target.begin(), target.end(), 0xAB);
        ASSERT_EQ(copy(), crc32c(data.data() + from, n, 0x1234u));
        ASSERT_TRUE(std::equal(data.begin() + std::ptrdiff_t(from), data.begin() + std::ptrdiff_t(from + n),
                               target.begin() + std::ptrdiff_t(to)));
        ASSERT_EQ(target[to + n], 0xAB) << "wrote past the copy";
        if (to > 0) {
            ASSERT_EQ(target[to - 1], 0xAB) << "wrote before the copy";
        }
    };
    for (const Crc32cPath path : available_paths())
        for (std::size_t from : {0, 1, 3})
            for (std::size_t to : {0, 5})
                for (std::size_t n : lengths) {
                    SCOPED_TRACE(testing::Message()
                                 << "path " << int(path) << ", length " << n << ", from " << from << " to " << to);
                    check(from, to, n,
                          [&] { return crc32c_by(path, target.data() + to, data.data() + from, n, 0x1234u); });
                }
    check(0, 0, 300, [&] { return mpitray::crc32c_copy(target.data(), data.data(), 300, 0x1234u); });
}
