#include <mpitray/core/frame.hpp>
#include <mpitray/core/standard_types.hpp>

#include "test_types.hpp"

#include <gtest/gtest.h>

using namespace mpitray;

TEST(Frame, PutAndGetTypedObjects) {
    Frame frame(Stop::physics());
    frame.put("Energy", 12.5);
    frame.put<std::int64_t>("Hits", 42);
    frame.put("Name", std::string("muon"));
    EXPECT_EQ(frame.at<double>("Energy"), 12.5);
    EXPECT_EQ(frame.at<std::int64_t>("Hits"), 42);
    EXPECT_EQ(frame.at<std::string>("Name"), "muon");
    EXPECT_EQ(frame.find("Energy")->type(), "double");
    EXPECT_TRUE(frame.has("Hits"));
    EXPECT_FALSE(frame.has("Nothing"));
}

TEST(Frame, ObjectsAreImmutableSoAKeyCannotBePutTwice) {
    Frame frame(Stop::physics());
    frame.put("Energy", 1.0);
    EXPECT_THROW(frame.put("Energy", 2.0), SerializationError);
    EXPECT_TRUE(frame.erase("Energy"));
    frame.put("Energy", 2.0);
    EXPECT_EQ(frame.at<double>("Energy"), 2.0);
}

TEST(Frame, CopiesShareObjectsButNotKeys) {
    Frame original(Stop::physics());
    original.put("Energy", 1.0);
    Frame copy(original);
    copy.put("Extra", 2.0);
    EXPECT_FALSE(original.has("Extra"));
    EXPECT_EQ(copy.get<double>("Energy").get(), original.get<double>("Energy").get()) << "a copy is shallow";
}

TEST(Frame, AMissingKeySaysWhichKeysExist) {
    Frame frame(Stop::physics());
    frame.put("Energy", 1.0);
    frame.put(event_header_key, EventHeader{3, 17, 0});
    try {
        frame.get<double>("Zenith");
        FAIL() << "expected an error";
    } catch (const SerializationError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("no key 'Zenith'"), std::string::npos) << message;
        EXPECT_NE(message.find("Energy (double, P)"), std::string::npos) << message;
        EXPECT_NE(message.find("run 3, event 17"), std::string::npos) << message;
    }
}

TEST(Frame, AWrongTypeSaysWhatTheKeyHolds) {
    Frame frame(Stop::physics());
    frame.put("Energy", 1.0);
    try {
        frame.get<std::string>("Energy");
        FAIL() << "expected an error";
    } catch (const SerializationError& e) {
        EXPECT_NE(std::string(e.what()).find("holds 'double', not 'string'"), std::string::npos) << e.what();
    }
}

TEST(Frame, AnUnregisteredTypeIsAClearError) {
    Frame frame(Stop::physics());
    EXPECT_THROW(frame.put("X", test::Unregistered{}), SerializationError);
    frame.put("Energy", 1.0);
    try {
        frame.get<test::Unregistered>("Energy");
        FAIL() << "expected an error";
    } catch (const SerializationError& e) {
        EXPECT_NE(std::string(e.what()).find("MPITRAY_REGISTER_TYPE"), std::string::npos) << e.what();
    }
}

TEST(Frame, SeesMixedInKeysButOwnsOnlyItsOwn) {
    Frame geometry(Stop::geometry());
    geometry.put<std::int64_t>("GeometryVersion", 2);
    Frame physics(Stop::physics());
    physics.put("Energy", 1.0);
    physics.set_context({{Stop::geometry(), geometry.shared_objects()}});
    EXPECT_EQ(physics.at<std::int64_t>("GeometryVersion"), 2);
    EXPECT_EQ(physics.stop_of("GeometryVersion"), Stop::geometry());
    EXPECT_FALSE(physics.has_own("GeometryVersion"));
    EXPECT_EQ(physics.own().size(), 1u);
    EXPECT_EQ(physics.keys(), (std::vector<std::string>{"Energy", "GeometryVersion"}));
    physics.put<std::int64_t>("GeometryVersion", 7);
    EXPECT_EQ(physics.at<std::int64_t>("GeometryVersion"), 7) << "an own key hides a mixed-in one";
    EXPECT_EQ(physics.stop_of("GeometryVersion"), Stop::physics());
}

TEST(Stop, ParsesOnlyOnePrintableCharacter) {
    EXPECT_EQ(parse_stop("Q"), Stop::daq());
    EXPECT_THROW(parse_stop("QQ"), ConfigError);
    EXPECT_THROW(parse_stop(""), ConfigError);
    EXPECT_THROW(parse_stop("\x01"), ConfigError);
    EXPECT_FALSE(Stop::shadow().printable());
    EXPECT_EQ(Stop::shadow().name(), "\\x01");
}
