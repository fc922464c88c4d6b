#pragma once
// The object types every mpitray program can decode, by their registered names:
//   bool, int64, double, string, bytes (std::vector<std::uint8_t>),
//   vector<bool>, vector<int64>, vector<double>, vector<string>,
//   map<string,double>, EventHeader (the struct below; also the example of a registered struct),
//   Summary (a module's counter, weighted sum or histogram: summary.hpp).
#include <boost/serialization/access.hpp>
#include <boost/serialization/tracking.hpp>

#include <cstdint>
#include <string>

namespace mpitray {

// Identifies an event; the framework's messages name it when a module fails on a frame.
struct EventHeader {
    std::int64_t run = 0;
    std::int64_t event = 0;
    std::int64_t sub_event = 0;

    bool operator==(const EventHeader&) const = default;

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& run& event& sub_event;
    }
};

}  // namespace mpitray

// Never tracked, even if some program serializes it through a pointer: Boost then writes the same
// class information for every EventHeader, which the direct codec (type_registry.cpp) relies on.
BOOST_CLASS_TRACKING(mpitray::EventHeader, boost::serialization::track_never)

namespace mpitray {

// The key under which frames carry their EventHeader.
inline constexpr const char* event_header_key = "EventHeader";

}  // namespace mpitray
