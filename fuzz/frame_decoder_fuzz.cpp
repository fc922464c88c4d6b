// Fuzzes the frame decoder with arbitrary bytes, as a damaged or hostile file or message would
// hand it: decode_frame, then every object's summary and table columns, which decode payloads.
// The checksum is taken as verified, so the fuzzer reaches the lengths and payloads behind it
// (a hostile writer can always make the CRC match).
#include "fuzz_support.hpp"

#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/table_row.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto bytes = std::make_shared<const mpitray::Buffer>(reinterpret_cast<const char*>(data),
                                                         reinterpret_cast<const char*>(data) + size);
    mpitray::fuzz::expect_only_mpitray_errors([&] {
        const mpitray::FramePtr frame =
            mpitray::decode_frame(mpitray::ByteView(bytes), mpitray::Checksum::already_verified);
        for (const auto& entry : frame->own()) {
            const auto& object = entry.second;
            mpitray::fuzz::expect_only_mpitray_errors([&] { (void)object->summary(); });
            mpitray::fuzz::expect_only_mpitray_errors([&] {
                mpitray::TableRow row;
                (void)object->columns(row);
            });
        }
    });
    return 0;
}
