// The direct codecs of the standard types must write exactly what Boost's binary archive writes,
// so a payload is a Boost archive whichever path made it, and read what Boost wrote.
#include <mpitray/core/frame.hpp>
#include <mpitray/core/standard_types.hpp>
#include <mpitray/core/type_registry.hpp>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <limits>

using namespace mpitray;

namespace {

template <class T>
Buffer boost_bytes(const T& value) {
    Buffer out;
    AppendStreambuf sink(out);
    boost::archive::binary_oarchive archive(sink, payload_archive_flags);
    archive << value;
    return out;
}

template <class T>
void expect_same_as_boost(const T& value) {
    static_assert(detail::has_direct_codec<T>);
    const TypeCodec& codec = TypeRegistry::instance().of<T>();
    Buffer direct;
    codec.encode(&value, direct);
    const Buffer reference = boost_bytes(value);
    EXPECT_EQ(direct, reference) << codec.name;
    ASSERT_TRUE(codec.encoded_size) << codec.name;
    EXPECT_EQ(codec.encoded_size(&value), direct.size()) << codec.name;
    // And the direct decoder reads Boost's bytes.
    const auto back =
        std::static_pointer_cast<const T>(codec.decode(std::span<const char>(reference.data(), reference.size())));
    EXPECT_EQ(*back, value) << codec.name;
}

}  // namespace

TEST(DirectCodecs, WriteExactlyWhatBoostWrites) {
    expect_same_as_boost(true);
    expect_same_as_boost(false);
    expect_same_as_boost(std::int64_t{-7});
    expect_same_as_boost(std::numeric_limits<std::int64_t>::max());
    expect_same_as_boost(2.5);
    expect_same_as_boost(-0.0);
    expect_same_as_boost(std::string());
    expect_same_as_boost(std::string("muon"));
    expect_same_as_boost(std::vector<std::uint8_t>{});
    expect_same_as_boost(std::vector<std::uint8_t>{1, 2, 255});
    expect_same_as_boost(std::vector<std::int64_t>{-1, 5, 1LL << 40});
    expect_same_as_boost(std::vector<double>{0.5, 1e-300});
}

TEST(DirectCodecs, EventHeaderIsWhatBoostWritesAndOtherVersionsStillDecode) {
    const TypeCodec& codec = TypeRegistry::instance().of<EventHeader>();
    const EventHeader header{7, -3, std::numeric_limits<std::int64_t>::max()};
    Buffer direct;
    codec.encode(&header, direct);
    Buffer reference = boost_bytes(header);
    EXPECT_EQ(direct, reference);
    auto decoded = [&codec](const Buffer& bytes) {
        return *std::static_pointer_cast<const EventHeader>(
            codec.decode(std::span<const char>(bytes.data(), bytes.size())));
    };
    EXPECT_EQ(decoded(reference), header);
    EXPECT_EQ(codec.encoded_size(&header), direct.size());
    // Tracking on (byte 0): Boost then expects an object id, which these 29 bytes do not have
    // room for. A direct decoder that ignored the class information would read it anyway.
    Buffer tracked = reference;
    tracked[0] = 1;
    EXPECT_THROW(decoded(tracked), SerializationError);
    // Class version 1 in the class information (bytes 1-4): not the direct codec's layout, so Boost reads it.
    reference[1] = 1;
    EXPECT_EQ(decoded(reference), header);
    reference.pop_back();
    EXPECT_THROW(decoded(reference), SerializationError);
}

TEST(DirectCodecs, RejectPayloadsOfTheWrongSize) {
    const TypeCodec& d = TypeRegistry::instance().of<double>();
    const char three[3] = {1, 2, 3};
    EXPECT_THROW(d.decode(std::span<const char>(three, 3)), SerializationError);
    const TypeCodec& v = TypeRegistry::instance().of<std::vector<double>>();
    Buffer bytes = boost_bytes(std::vector<double>{1, 2});
    bytes.pop_back();
    EXPECT_THROW(v.decode(std::span<const char>(bytes.data(), bytes.size())), SerializationError);
}

namespace {

template <class T>
T decoded_as(const Buffer& bytes) {
    const TypeCodec& codec = TypeRegistry::instance().of<T>();
    return *std::static_pointer_cast<const T>(codec.decode(std::span<const char>(bytes.data(), bytes.size())));
}

// Boost's bytes of `value`, with the 64-bit length at `at` replaced by `length`.
template <class T>
Buffer with_length(const T& value, std::size_t at, std::uint64_t length) {
    Buffer bytes = boost_bytes(value);
    std::memcpy(bytes.data() + at, &length, sizeof length);
    return bytes;
}

// Each value reads back through the layout check; claimed lengths past the end, a byte missing
// and a byte too many are refused before Boost allocates anything.
template <class T>
void expect_checked(const T& value, std::size_t first_length_at) {
    const Buffer bytes = boost_bytes(value);
    EXPECT_EQ(decoded_as<T>(bytes), value);
    Buffer shorter = bytes;
    shorter.pop_back();
    EXPECT_THROW(decoded_as<T>(shorter), SerializationError);
    Buffer longer = bytes;
    longer.push_back(0);
    EXPECT_THROW(decoded_as<T>(longer), SerializationError);
    for (std::uint64_t claim : {std::uint64_t{1} << 40, std::uint64_t{0x770000002c000004}, ~std::uint64_t{0}})
        EXPECT_THROW(decoded_as<T>(with_length(value, first_length_at, claim)), SerializationError) << claim;
}

}  // namespace

// Found by fuzz/frame_decoder_fuzz: a map<string,double> whose key claimed 8 EiB made Boost try
// to allocate it.
TEST(CheckedBoostLayouts, LengthsAreCheckedBeforeBoostAllocates) {
    expect_checked(std::vector<bool>{true, false, true}, 0);
    expect_checked(std::vector<std::string>{"ab", "", "muon"}, 5);   // the count
    expect_checked(std::vector<std::string>{"ab", "", "muon"}, 17);  // the first string's length
    expect_checked(std::map<std::string, double>{{"high", 10}, {"low", 0.1}}, 5);
    expect_checked(std::map<std::string, double>{{"high", 10}, {"low", 0.1}}, 22);
    EXPECT_EQ(decoded_as<std::vector<bool>>(boost_bytes(std::vector<bool>{})), std::vector<bool>{});
    EXPECT_EQ(decoded_as<std::vector<std::string>>(boost_bytes(std::vector<std::string>{})),
              std::vector<std::string>{});
    using Map = std::map<std::string, double>;
    EXPECT_EQ(decoded_as<Map>(boost_bytes(Map{})), Map{});
    // Class information other than Boost's zeros makes Boost read the rest differently (a
    // tracked pair, say), so the lengths checked would not be the ones it reads: refused.
    for (std::size_t at : {std::size_t{0}, std::size_t{13}, std::size_t{17}}) {
        Buffer bytes = boost_bytes(Map{{"high", 10}, {"low", 0.1}});
        bytes[at] = 1;
        EXPECT_THROW(decoded_as<Map>(bytes), SerializationError) << at;
    }
}

namespace {

struct NeverRegistered {
    template <class Archive>
    void serialize(Archive&, unsigned) {}
};

template <class T>
std::string error_putting(T value) {
    try {
        make_frame(Stop::physics())->put("Key", std::move(value));
    } catch (const SerializationError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(TypeRegistry, AnUnregisteredTypeNamesTheRegisteredOneToUse) {
    const std::string for_int = error_putting(3);
    EXPECT_NE(for_int.find("type int is not registered"), std::string::npos) << for_int;
    EXPECT_NE(for_int.find("store integers as std::int64_t"), std::string::npos) << for_int;
    EXPECT_NE(for_int.find("put<std::int64_t>(key, value)"), std::string::npos) << for_int;
    EXPECT_NE(error_putting(std::uint32_t(3)).find("as std::int64_t"), std::string::npos);
    EXPECT_NE(error_putting(2.5f).find("store floating-point numbers as double"), std::string::npos);
    EXPECT_NE(error_putting("muon").find("store text as std::string"), std::string::npos);
    EXPECT_NE(error_putting(std::vector<int>{1}).find("as std::vector<std::int64_t>"), std::string::npos);
    EXPECT_NE(error_putting(std::vector<float>{1}).find("as std::vector<double>"), std::string::npos);
    EXPECT_NE(error_putting(std::vector<const char*>{"a"}).find("as std::vector<std::string>"), std::string::npos);
    // Nothing like a standard type: how to register it.
    EXPECT_NE(error_putting(NeverRegistered{}).find("add MPITRAY_REGISTER_TYPE"), std::string::npos);
    EXPECT_NE(error_putting(std::vector<NeverRegistered>{}).find("add MPITRAY_REGISTER_TYPE"), std::string::npos);
    try {
        auto frame = make_frame(Stop::physics());
        frame->put<std::int64_t>("Hits", 3);
        (void)frame->at<int>("Hits");
        FAIL() << "reading an int must fail";
    } catch (const SerializationError& e) {
        EXPECT_NE(std::string(e.what()).find("at<std::int64_t>(key)"), std::string::npos) << e.what();
    }
}
