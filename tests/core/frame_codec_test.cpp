#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/standard_types.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <map>

using namespace mpitray;

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
