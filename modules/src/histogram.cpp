// Histogram: fills a histogram with a number the frames of chosen stops carry, optionally weighted
// by another, and passes every frame on. Its summaries (the histogram and two counts) are merged
// across the workers of a Dispatch into exactly the serial run's, and written once at the end.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop_set.hpp>

#include <cmath>

namespace mpitray {
namespace {

class Histogram : public Module {
public:
    Histogram() {
        add_required_parameter<std::string>("key", "the number to histogram (double or int64; a vector fills each)");
        add_parameter<std::int64_t>("bins", "equal bins between low and high (1 to 10^5; about 1.2 KB each)", 100);
        add_required_parameter<double>("low", "the low edge of the first bin");
        add_required_parameter<double>("high", "the high edge of the last bin");
        add_optional_parameter<std::string>("weight",
                                            "a key holding each frame's weight (double or int64); "
                                            "without it every fill weighs 1");
        add_parameter<std::vector<std::string>>("stops", "the stops whose frames fill it", {"P"});
    }

    void configure() override {
        key_ = parameter<std::string>("key");
        weight_key_ = optional_parameter<std::string>("weight").value_or("");
        stops_ = StopSet(parameter<std::vector<std::string>>("stops"));
        const auto bins = int(parameter_within("bins", std::int64_t{1}, std::int64_t{100'000}));
        const double low = parameter<double>("low");
        const double high = parameter<double>("high");
        if (!std::isfinite(low)) throw config_error("must be a finite number", "low");
        if (!std::isfinite(high) || !(low < high))
            throw config_error("must be a finite number greater than low", "high");
        histogram_ = &summaries().histogram("histogram", bins, low, high);
        frames_ = &summaries().counter("frames");
        missing_ = &summaries().counter("missing");
    }

    void process(const FramePtr& frame) override {
        if (stops_.contains(frame->stop())) fill(*frame);
        push(frame);
    }

private:
    void fill(const Frame& frame) {
        frames_->add();
        const Object* value = frame.find(key_);
        if (value == nullptr) {
            missing_->add();
            return;
        }
        const double weight = weight_key_.empty() ? 1.0 : number(frame, weight_key_);
        const std::string& type = value->type();
        if (type == "vector<double>")
            for (double x : frame.at<std::vector<double>>(key_)) histogram_->fill(x, weight);
        else if (type == "vector<int64>")
            for (std::int64_t x : frame.at<std::vector<std::int64_t>>(key_)) histogram_->fill(double(x), weight);
        else histogram_->fill(number(frame, key_), weight);
    }

    // A double or an int64 under `key`; a clear error for anything else.
    static double number(const Frame& frame, const std::string& key) {
        const Object* object = frame.find(key);
        if (object == nullptr) throw Error("no '" + key + "' in " + frame.describe() + " to weigh it by");
        if (object->type() == "int64") return double(frame.at<std::int64_t>(key));
        if (object->type() == "double") return frame.at<double>(key);
        throw Error("'" + key + "' in " + frame.describe() + " holds " + object->type() +
                    ", not a number (double or int64)");
    }

    std::string key_;
    std::string weight_key_;
    StopSet stops_;
    WeightedHistogram* histogram_ = nullptr;
    Counter* frames_ = nullptr;
    Counter* missing_ = nullptr;
};

}  // namespace

void register_histogram() {
    ModuleRegistry::instance().add(
        {"Histogram", "histograms a number of chosen frames (weighted or not); the summary is merged across workers",
         [] { return std::make_unique<Histogram>(); }});
}

}  // namespace mpitray
