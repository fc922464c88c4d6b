#pragma once
// A set of stops given as a list parameter (["Q", "P"]).
#include <mpitray/core/error.hpp>
#include <mpitray/core/stop.hpp>

#include <string>
#include <vector>

namespace mpitray {

class StopSet {
public:
    StopSet() = default;
    explicit StopSet(const std::vector<std::string>& names) {
        for (const std::string& name : names) stops_.push_back(parse_stop(name));
    }
    bool contains(Stop stop) const {
        for (Stop s : stops_)
            if (s == stop) return true;
        return false;
    }
    bool empty() const { return stops_.empty(); }

private:
    std::vector<Stop> stops_;
};

}  // namespace mpitray
