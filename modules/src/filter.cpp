// Filter: drops event frames, by event number or at random (framework RNG).
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop_set.hpp>
#include "event_index.hpp"

#include <set>

namespace mpitray {
namespace {

class Filter : public Module {
public:
    Filter() {
        add_parameter<std::int64_t>("drop_every",
                                    "drop frames whose event number is a multiple of this; 0: off (0 to 2^53)", 0);
        add_parameter<double>("drop_fraction", "drop this fraction of frames at random (framework RNG)", 0.0);
        add_parameter<std::vector<std::int64_t>>("drop_events", "drop frames with these event numbers", {});
        add_parameter<std::vector<std::string>>("stops", "the stops it filters; others pass", {"P"});
    }

    void configure() override {
        drop_every_ = parameter_within("drop_every", 0, limits::count, limits::count_note);
        drop_fraction_ = parameter<double>("drop_fraction");
        stops_ = StopSet(parameter<std::vector<std::string>>("stops"));
        for (std::int64_t event : parameter<std::vector<std::int64_t>>("drop_events")) drop_events_.insert(event);
        if (drop_fraction_ < 0.0 || drop_fraction_ > 1.0)
            throw config_error("must be between 0 and 1", "drop_fraction");
    }

    void process(const FramePtr& frame) override {
        if (stops_.contains(frame->stop())) {
            if (drop_every_ > 0 && event_index(*frame) % drop_every_ == 0) return;
            if (!drop_events_.empty() && drop_events_.count(event_index(*frame))) return;
            if (drop_fraction_ > 0.0 && rng().uniform() < drop_fraction_) return;
        }
        push(frame);
    }

private:
    std::int64_t drop_every_ = 0;
    double drop_fraction_ = 0.0;
    StopSet stops_;
    std::set<std::int64_t> drop_events_;
};

}  // namespace

void register_filter() {
    ModuleRegistry::instance().add({"Filter",
                                    "drops event frames: chosen event numbers, every k-th, or a random fraction",
                                    [] { return std::make_unique<Filter>(); }});
}

}  // namespace mpitray
