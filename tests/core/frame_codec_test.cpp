#include <mpitray/core/crc32c.hpp>
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/standard_types.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>

using namespace mpitray;

// The largest single allocation while `watching` is set: the decoder's bounds tests check that
// no length a frame claims is allocated before it is checked against the bytes really there.
namespace {
std::atomic<bool> watching{false};
std::atomic<std::size_t> largest_allocation{0};
}  // namespace

// Not inlined: GCC would otherwise pair an inlined free() with `new` and warn.
[[gnu::noinline]] void* operator new(std::size_t size) {
    if (watching) {
        std::size_t seen = largest_allocation;
        while (size > seen && !largest_allocation.compare_exchange_weak(seen, size)) {}
    }
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

FramePtr round_trip(const Frame& frame) { return decode_frame(encode_frame(frame)); }

template <class T>
void expect_round_trip(const T& value, const std::string& type_name) {
    Frame frame(Stop::physics());
    frame.put("value", value);
    const FramePtr back = round_trip(frame);
    EXPECT_EQ(back->find("value")->type(), type_name);
    EXPECT_FALSE(back->find("value")->decoded()) << "payloads stay bytes until asked for";
    EXPECT_EQ(back->at<T>("value"), value) << type_name;
}

}  // namespace

TEST(FrameCodec, RoundTripsEveryStandardType) {
    expect_round_trip(true, "bool");
    expect_round_trip(std::int64_t{-1234567890123}, "int64");
    expect_round_trip(3.141592653589793, "double");
    expect_round_trip(std::string("a string with\0 a nul", 20), "string");
    expect_round_trip(std::vector<std::uint8_t>{0, 1, 255, 128}, "bytes");
    expect_round_trip(std::vector<bool>{true, false, true}, "vector<bool>");
    expect_round_trip(std::vector<std::int64_t>{-1, 0, 1, 1 << 30}, "vector<int64>");
    expect_round_trip(std::vector<double>{0.5, -2.25, 1e300}, "vector<double>");
    expect_round_trip(std::vector<std::string>{"a", "", "ccc"}, "vector<string>");
    expect_round_trip(std::map<std::string, double>{{"x", 1.0}, {"y", -2.0}}, "map<string,double>");
    expect_round_trip(EventHeader{7, 123456, 2}, "EventHeader");
    expect_round_trip(std::vector<double>{}, "vector<double>");
}

// The worked example of docs/file-format.md, byte for byte: the encoder sums bytes as it copies
// them, and must give exactly the bytes (and checksum) the format defines, whether an object is a
// fresh value or bytes read before.
TEST(FrameCodec, WritesTheDocumentedBytes) {
    const unsigned char documented[] = {
        0x4d, 0x54, 0x46, 0x52, 0x01, 0x00, 0x44, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x44, 0x65,
        0x61, 0x64, 0x4d, 0x6f, 0x64, 0x75, 0x6c, 0x65, 0x73, 0x0d, 0x00, 0x00, 0x00, 0x76, 0x65, 0x63, 0x74, 0x6f,
        0x72, 0x3c, 0x69, 0x6e, 0x74, 0x36, 0x34, 0x3e, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x53, 0x74, 0x61, 0x74, 0x75, 0x73, 0x56, 0x65, 0x72, 0x73,
        0x69, 0x6f, 0x6e, 0x05, 0x00, 0x00, 0x00, 0x69, 0x6e, 0x74, 0x36, 0x34, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7d, 0x2c, 0x91, 0x72};
    const std::string expected(reinterpret_cast<const char*>(documented), sizeof documented);
    Frame fresh(Stop::detector_status());
    fresh.put("DeadModules", std::vector<std::int64_t>{0, 3});
    fresh.put("StatusVersion", std::int64_t{0});
    const ByteView first = encode_frame(fresh);
    EXPECT_EQ(std::string(first.data(), first.size()), expected);
    // The same objects again, now holding bytes: copied, not encoded, into a new frame.
    Frame copied(Stop::detector_status());
    for (const auto& [key, object] : fresh.own()) copied.put_object(key, object);
    const ByteView second = encode_frame(copied);
    EXPECT_NE(second.owner(), first.owner());
    EXPECT_EQ(std::string(second.data(), second.size()), expected);
}

// A payload shared by two frames encoded into one buffer: the second frame copies (and sums) the
// bytes from the very buffer that grows, and moves, for them.
namespace {

// Two frames sharing one payload, the first encoded into `buffer`, so that the payload's bytes
// now lie in it.
std::pair<FramePtr, FramePtr> sharing_a_payload_in(const std::shared_ptr<Buffer>& buffer) {
    auto first = make_frame(Stop::physics());
    first->put("Payload", std::vector<std::uint8_t>(100000, 7));
    auto second = make_frame(Stop::physics());
    second->put_object("Payload", first->find_shared("Payload"));
    append_frame(*first, buffer);
    return {first, second};
}

}  // namespace

TEST(FrameCodec, CopiesAPayloadFromTheBufferItGrows) {
    auto buffer = std::make_shared<Buffer>();
    const auto [first, second] = sharing_a_payload_in(buffer);
    buffer->shrink_to_fit();
    const char* before = buffer->data();
    const ByteView copied = append_frame(*second, buffer);
    EXPECT_NE(buffer->data(), before) << "the buffer moved";
    const FramePtr back = decode_frame(copied);  // checks the sum
    EXPECT_EQ(back->at<std::vector<std::uint8_t>>("Payload"), std::vector<std::uint8_t>(100000, 7));
}

TEST(FrameCodec, KeepsStopAndKeys) {
    Frame frame(Stop('X'));
    frame.put("b", 2.0);
    frame.put("a", 1.0);
    const FramePtr back = round_trip(frame);
    EXPECT_EQ(back->stop(), Stop('X'));
    EXPECT_EQ(back->keys(), (std::vector<std::string>{"a", "b"}));
}

TEST(FrameCodec, EncodingIsDeterministic) {
    Frame a(Stop::physics()), b(Stop::physics());
    a.put("x", 1.0);
    a.put("y", std::string("y"));
    b.put("y", std::string("y"));  // other insertion order
    b.put("x", 1.0);
    EXPECT_TRUE(same_bytes(encode_frame(a), encode_frame(b)));
}

TEST(FrameCodec, UnknownTypesPassThroughUntouched) {
    Frame frame(Stop::physics());
    auto payload = std::make_shared<Buffer>(Buffer{'\x01', '\x02', '\x03'});
    frame.put_object("alien", Object::from_bytes("SomeoneElsesType", ByteView(payload)));
    frame.put("known", 1.0);
    const ByteView first = encode_frame(frame);
    const FramePtr back = decode_frame(first);
    EXPECT_EQ(back->find("alien")->type(), "SomeoneElsesType");
    back->put("added", 2.0);  // changes the frame, so it is encoded again
    back->erase("added");
    const ByteView second = encode_frame(*back);
    EXPECT_NE(first.data(), second.data());
    EXPECT_TRUE(same_bytes(first, second));
}

TEST(FrameCodec, AnUnchangedFrameIsNotReencoded) {
    Frame frame(Stop::physics());
    frame.put("x", 1.0);
    const ByteView bytes = encode_frame(frame);
    const FramePtr back = decode_frame(bytes);
    EXPECT_EQ(encode_frame(*back).data(), bytes.data()) << "the same buffer, not a copy";
    back->put("y", 2.0);
    EXPECT_NE(encode_frame(*back).data(), bytes.data());
}

TEST(FrameCodec, DetectsEveryCorruptedByte) {
    Frame frame(Stop::physics());
    frame.put("x", 1.0);
    frame.put("name", std::string("abc"));
    const ByteView bytes = encode_frame(frame);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto damaged = std::make_shared<Buffer>(bytes.data(), bytes.data() + bytes.size());
        (*damaged)[i] ^= 0x40;
        EXPECT_THROW(decode_frame(damaged), SerializationError) << "byte " << i;
    }
}

TEST(FrameCodec, DetectsTruncation) {
    Frame frame(Stop::physics());
    frame.put("x", 1.0);
    const ByteView bytes = encode_frame(frame);
    for (std::size_t size : {std::size_t{0}, std::size_t{5}, bytes.size() - 1}) {
        auto cut = std::make_shared<Buffer>(bytes.data(), bytes.data() + size);
        EXPECT_THROW(decode_frame(cut), SerializationError) << size << " bytes";
    }
}

TEST(FrameCodec, AGarbagePayloadFailsWhenDecodedNotBefore) {
    Frame frame(Stop::physics());
    auto garbage = std::make_shared<Buffer>(Buffer{'\x01'});
    frame.put_object("x", Object::from_bytes("vector<double>", ByteView(garbage)));
    const FramePtr back = round_trip(frame);
    try {
        back->get<std::vector<double>>("x");
        FAIL() << "expected an error";
    } catch (const SerializationError& e) {
        EXPECT_NE(std::string(e.what()).find("does not decode"), std::string::npos) << e.what();
    }
}

namespace {

template <class T>
void put_int(Buffer& out, T value) {
    const auto* bytes = reinterpret_cast<const char*>(&value);
    out.insert(out.end(), bytes, bytes + sizeof value);
}

// A frame encoding with header, `count` and `body` as given, and a checksum that passes: only
// the lengths inside can be wrong.
SharedBuffer hand_made_frame(std::uint32_t count, const Buffer& body) {
    auto out = std::make_shared<Buffer>(Buffer{'M', 'T', 'F', 'R', 1, 0, 'P', 0});
    put_int(*out, count);
    out->insert(out->end(), body.begin(), body.end());
    put_int(*out, crc32c(out->data(), out->size()));
    return out;
}

// One key as encoded, with lengths that may lie.
Buffer key_bytes(std::uint32_t key_length, const std::string& key, std::uint32_t type_length, const std::string& type,
                 std::uint64_t payload_length, const std::string& payload) {
    Buffer out;
    put_int(out, key_length);
    out.insert(out.end(), key.begin(), key.end());
    put_int(out, type_length);
    out.insert(out.end(), type.begin(), type.end());
    put_int(out, payload_length);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

// Decoding `bytes` throws SerializationError saying `expected`, and allocates nothing larger than
// the encoding itself (plus a little for the frame's own bookkeeping).
void expect_refused_within_its_bytes(const SharedBuffer& bytes, const std::string& expected) {
    largest_allocation = 0;
    watching = true;
    std::string message;
    try {
        decode_frame(bytes);
    } catch (const SerializationError& e) {
        message = e.what();
    }
    watching = false;
    EXPECT_NE(message.find(expected), std::string::npos) << "message: " << message;
    EXPECT_LE(largest_allocation.load(), bytes->size() + 4096)
        << "allocated more than the " << bytes->size() << " bytes of the frame justify";
}

}  // namespace

TEST(FrameCodecBounds, AKeyCountPastTheKeysIsCutShortNotAllocated) {
    const Buffer one_key = key_bytes(1, "x", 6, "double", 8, std::string(8, '\0'));
    expect_refused_within_its_bytes(hand_made_frame(0xFFFFFFFF, one_key),
                                    "frame encoding is cut short reading the key at byte 43 (0 bytes left, 4 needed)");
}

TEST(FrameCodecBounds, AKeyLengthOfGigabytesIsRefused) {
    expect_refused_within_its_bytes(
        hand_made_frame(1, key_bytes(0xFFFFFFF0, "x", 6, "double", 8, std::string(8, '\0'))),
        "reading the key at byte 16 (27 bytes left, 4294967280 needed)");
}

TEST(FrameCodecBounds, ATypeNameLengthOfGigabytesIsRefused) {
    expect_refused_within_its_bytes(
        hand_made_frame(1, key_bytes(1, "x", 0xFFFFFFFF, "double", 8, std::string(8, '\0'))),
        "reading the type name at byte 21 (22 bytes left, 4294967295 needed)");
}

TEST(FrameCodecBounds, APayloadLengthOfGigabytesIsRefused) {
    for (const std::uint64_t claimed : {std::uint64_t{3} << 30, std::uint64_t{1} << 62, ~std::uint64_t{0}})
        expect_refused_within_its_bytes(
            hand_made_frame(1, key_bytes(1, "x", 6, "double", claimed, std::string(8, '\0'))),
            "reading the payload at byte 35 (8 bytes left, " + std::to_string(claimed) + " needed)");
}

TEST(FrameCodecBounds, ManyClaimedKeysOverFewBytesStopAtTheFirstMissingOne) {
    // Two real keys, a count of four billion: the third key is where the bytes end.
    Buffer body = key_bytes(1, "a", 6, "double", 8, std::string(8, '\0'));
    const Buffer second = key_bytes(1, "b", 6, "double", 8, std::string(8, '\0'));
    body.insert(body.end(), second.begin(), second.end());
    expect_refused_within_its_bytes(hand_made_frame(0xFFFFFFFF, body), "cut short reading the key at byte 74");
}

TEST(FrameCodecBounds, AWellFormedFrameStillDecodes) {
    const SharedBuffer bytes = hand_made_frame(1, key_bytes(1, "x", 6, "double", 8, std::string(8, '\0')));
    const FramePtr frame = decode_frame(bytes);
    EXPECT_EQ(frame->at<double>("x"), 0.0);
}

namespace {

// The buffer with its gaps filled from where each gap's bytes are.
Buffer filled(const Buffer& with_gaps, const Gaps& gaps) {
    Buffer whole = with_gaps;
    for (const Gaps::Gap& gap : gaps.list) std::memcpy(whole.data() + gap.offset, gap.bytes.data(), gap.bytes.size());
    return whole;
}

}  // namespace

TEST(FrameCodecGaps, LargePayloadsAreLeftOutAndTheChecksumStillCoversThem) {
    Frame frame(Stop::physics());
    frame.put("Big", std::vector<double>(10000, 1.5));          // a vector's elements
    frame.put("Small", std::vector<double>(10, 2.5));           // below the limit: copied
    frame.put("Text", std::string(50000, 't'));                 // a string's bytes
    frame.put_object("Encoded", decode_frame(encode_frame([] {  // an object that has bytes
                                    Frame f(Stop::physics());
                                    f.put("x", std::vector<std::int64_t>(9000, 3));
                                    return f;
                                }()))
                                    ->find_shared("x"));
    const ByteView reference = encode_frame(Frame(frame));  // a copy, so `frame` keeps no encoding
    auto buffer = std::make_shared<Buffer>();
    Gaps gaps{32 * 1024, {}};
    const ByteView appended = append_frame(frame, buffer, Remember::nothing, &gaps);
    ASSERT_EQ(gaps.list.size(), 3u) << "Big, Encoded and Text; Small is copied";
    for (const Gaps::Gap& gap : gaps.list) EXPECT_GE(gap.bytes.size(), 32u * 1024);
    EXPECT_EQ(appended.size(), reference.size());
    const Buffer whole = filled(*buffer, gaps);
    EXPECT_TRUE(std::equal(whole.begin(), whole.end(), reference.data()));
    EXPECT_EQ(decode_frame(std::make_shared<Buffer>(whole))->at<std::vector<double>>("Big").size(), 10000u);
    EXPECT_TRUE(frame.pristine_encoding().empty()) << "the frame keeps no view of a buffer with gaps";
}

TEST(FrameCodecGaps, AFrameThatHasAnEncodingIsOneGap) {
    Frame made(Stop::physics());
    made.put("Big", std::vector<std::uint8_t>(100000, 9));
    const FramePtr read = decode_frame(encode_frame(made));
    auto buffer = std::make_shared<Buffer>(std::size_t{5}, 'h');  // something before it
    Gaps gaps{32 * 1024, {}};
    append_frame(*read, buffer, Remember::nothing, &gaps);
    ASSERT_EQ(gaps.list.size(), 1u);
    EXPECT_EQ(gaps.list[0].offset, 5u);
    EXPECT_EQ(gaps.list[0].bytes.data(), read->pristine_encoding().data()) << "sent from where it is";
    EXPECT_EQ(gaps.list[0].bytes.size(), read->pristine_encoding().size());
    EXPECT_EQ(buffer->size(), 5 + read->pristine_encoding().size());
}

TEST(FrameCodecGaps, APayloadInTheBufferItselfIsCopiedNotLeftOut) {
    auto buffer = std::make_shared<Buffer>();
    const auto [first, second] = sharing_a_payload_in(buffer);
    Gaps gaps{32 * 1024, {}};
    const ByteView copied = append_frame(*second, buffer, Remember::nothing, &gaps);
    EXPECT_TRUE(gaps.list.empty()) << "a gap pointing into the buffer it is a gap of";
    EXPECT_EQ(decode_frame(copied)->at<std::vector<std::uint8_t>>("Payload"), std::vector<std::uint8_t>(100000, 7));
}

TEST(FrameCodecGaps, OnlyFramesThatKeepNoViewsLeavePayloadsOut) {
    Frame frame(Stop::physics());
    frame.put("Big", std::vector<double>(10000, 1.5));
    Gaps gaps{32 * 1024, {}};
    EXPECT_THROW(append_frame(frame, std::make_shared<Buffer>(), Remember::encodings, &gaps), Error);
}
