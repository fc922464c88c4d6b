// Work: spends a per-event cost drawn from the framework RNG, sleeping or spinning.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop_set.hpp>
#include "event_index.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace mpitray {
namespace {

class Work : public Module {
public:
    Work() {
        add_parameter<std::string>("mode", "sleep (wait) or spin (burn CPU)", "sleep");
        add_parameter<std::string>("cost", "fixed, lognormal or exponential", "fixed");
        add_parameter<double>("mean_ms", "mean cost per frame in milliseconds (0 to 86400000, a day)", 10.0);
        add_parameter<double>("sigma", "lognormal: sigma of the underlying normal (0 to 10)", 1.0);
        add_parameter<std::vector<std::string>>("stops", "the stops that cost work; others pass for free", {"P"});
        add_parameter<std::string>("key", "key under which the drawn cost (ms, double) is stored", "WorkCostMs");
        add_optional_parameter<std::int64_t>("slow_event", "an event number that costs slow_ms instead (a straggler)");
        add_parameter<double>("slow_ms", "the straggler's cost in milliseconds (0 to 86400000, a day)", 1000.0);
    }

    void configure() override {
        const std::string mode = parameter<std::string>("mode");
        if (mode != "sleep" && mode != "spin")
            throw config_error("must be 'sleep' or 'spin', not '" + mode + "'", "mode");
        spin_ = mode == "spin";
        cost_ = parameter<std::string>("cost");
        if (cost_ != "fixed" && cost_ != "lognormal" && cost_ != "exponential")
            throw config_error("must be 'fixed', 'lognormal' or 'exponential', not '" + cost_ + "'", "cost");
        mean_ms_ = parameter_within("mean_ms", 0.0, limits::day_ms, limits::day_note);
        // Above 10 the lognormal's mean is exp(50) times its median: not a cost model any more.
        sigma_ = parameter_within("sigma", 0.0, 10.0);
        stops_ = StopSet(parameter<std::vector<std::string>>("stops"));
        key_ = parameter<std::string>("key");
        slow_event_ = optional_parameter<std::int64_t>("slow_event");
        slow_ms_ = parameter_within("slow_ms", 0.0, limits::day_ms, limits::day_note);
    }

    void process(const FramePtr& frame) override {
        if (stops_.contains(frame->stop())) {
            double ms = draw();
            if (slow_event_ && event_index(*frame) == *slow_event_) ms = slow_ms_;
            spend(ms);
            frame->put(key_, ms);
        }
        push(frame);
    }

private:
    double draw() {
        if (mean_ms_ == 0.0) return 0.0;
        if (cost_ == "lognormal") return rng().lognormal(std::log(mean_ms_) - 0.5 * sigma_ * sigma_, sigma_);
        if (cost_ == "exponential") return rng().exponential(mean_ms_);
        return mean_ms_;
    }

    void spend(double ms) const {
        // A drawn cost has no upper bound (an exponential's tail); converting more than ~292
        // years to nanoseconds would overflow. Anything beyond a year is forever anyway.
        constexpr double year_ms = 365 * limits::day_ms;
        const auto duration = std::chrono::duration<double, std::milli>(std::min(ms, year_ms));
        if (!spin_) {
            std::this_thread::sleep_for(duration);
            return;
        }
        const auto until =
            std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::nanoseconds>(duration);
        while (std::chrono::steady_clock::now() < until) {}
    }

    bool spin_ = false;
    std::string cost_;
    double mean_ms_ = 10.0;
    double sigma_ = 1.0;
    StopSet stops_;
    std::string key_;
    std::optional<std::int64_t> slow_event_;
    double slow_ms_ = 1000.0;
};

}  // namespace

void register_work() {
    ModuleRegistry::instance().add({"Work",
                                    "spends a per-frame cost (fixed, lognormal, exponential) sleeping or spinning",
                                    [] { return std::make_unique<Work>(); }});
}

}  // namespace mpitray
