#pragma once
// A source for tests: emits one frame for each stop in its `stops` parameter, in order. Event
// frames get an EventHeader (event = their place in the list), metadata frames a "<stop>Version";
// every frame gets a "<stop>Key". Unlike the Generator, it can put a metadata frame anywhere,
// between a Q frame and its P frames included.
#include <mpitray/core/module.hpp>
#include <mpitray/core/standard_types.hpp>

#include <string>
#include <vector>

namespace mpitray::testing {

class ListSource : public Module {
public:
    ListSource() { add_parameter<std::vector<std::string>>("stops", "stops to emit", {}); }
    bool is_source() const override { return true; }
    void configure() override { stops_ = parameter<std::vector<std::string>>("stops"); }
    bool produce() override {
        if (next_ >= stops_.size()) return false;
        const Stop stop = parse_stop(stops_[next_]);
        auto frame = make_frame(stop);
        if (environment().is_metadata(stop)) frame->put<std::int64_t>(stop.name() + "Version", std::int64_t(next_));
        else frame->put(event_header_key, EventHeader{1, std::int64_t(next_), 0});
        frame->put(stop.name() + "Key", double(next_));
        ++next_;
        push(frame);
        return true;
    }

private:
    std::vector<std::string> stops_;
    std::size_t next_ = 0;
};

}  // namespace mpitray::testing
