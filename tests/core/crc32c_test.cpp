#include <mpitray/core/crc32c.hpp>

#include <gtest/gtest.h>

#include <string>

using mpitray::crc32c;

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
