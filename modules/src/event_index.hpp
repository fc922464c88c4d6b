#pragma once
// The event number modules select on: the EventHeader's event number when the frame has one,
// else the frame's input position. Both are the same on every rank.
#include <mpitray/core/frame.hpp>
#include <mpitray/core/standard_types.hpp>

namespace mpitray {

inline std::int64_t event_index(const Frame& frame) {
    if (const Object* header = frame.find(event_header_key); header && header->type() == "EventHeader")
        return header->value<EventHeader>()->event;
    return static_cast<std::int64_t>(frame.origin.position);
}

}  // namespace mpitray
