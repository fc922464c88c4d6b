// Trigger: a multiplicity trigger on locally coincident pulses. A DAQ frame that passes gets one
// Physics frame (the split) holding the coincident pulses; one that fails gets none.
#include "detector.hpp"
#include "modules.hpp"

#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/standard_types.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace icesim {
namespace {

class Trigger : public mpitray::Module {
public:
    Trigger() {
        add_parameter<std::string>("input", "key of the PulseSeries", "Pulses");
        add_parameter<std::int64_t>("multiplicity", "coincident pulses needed within one window", 8);
        add_parameter<double>("window_ns", "length of the trigger window", 5000.0);
        add_parameter<std::int64_t>("coincidence_span",
                                    "a pulse is locally coincident with one on the same string at most this many "
                                    "modules away...",
                                    2);
        add_parameter<double>("coincidence_ns", "... and at most this far apart in time", 1000.0);
        add_parameter<std::string>("output", "key of the TriggerResult in the Q frame", "Trigger");
        add_parameter<std::string>("cleaned", "key of the coincident pulses in the P frame", "CleanedPulses");
    }

    void configure() override {
        input_ = parameter<std::string>("input");
        multiplicity_ = parameter<std::int64_t>("multiplicity");
        window_ = parameter<double>("window_ns");
        span_ = parameter<std::int64_t>("coincidence_span");
        coincidence_ = parameter<double>("coincidence_ns");
        output_ = parameter<std::string>("output");
        cleaned_ = parameter<std::string>("cleaned");
        if (multiplicity_ < 1 || multiplicity_ > mpitray::limits::count)
            throw config_error("must be 1 to 2^53", "multiplicity");
        if (!(window_ > 0 && window_ <= 1e9)) throw config_error("must be above 0 and at most 1e9 (1 s)", "window_ns");
        // A string has at most 1000 modules (IceSource): a wider span is the whole string.
        if (span_ < 1 || span_ > 1000) throw config_error("must be 1 to 1000", "coincidence_span");
        if (!(coincidence_ > 0 && coincidence_ <= 1e9))
            throw config_error("must be above 0 and at most 1e9 (1 s)", "coincidence_ns");
    }

    void daq(const mpitray::FramePtr& frame) override {
        const auto& geometry = frame->at<IceGeometry>("Geometry");
        const auto& pulses = frame->at<PulseSeries>(input_);
        check_module_indices(pulses.module, geometry.size(), input_.c_str());
        PulseSeries coincident = local_coincidences(geometry, pulses);

        TriggerResult result;
        result.channels = std::int64_t(pulses.size());
        std::vector<double> times = coincident.time;
        std::sort(times.begin(), times.end());
        for (std::size_t first = 0, last = 0; first < times.size(); ++first) {  // sliding window
            while (last < times.size() && times[last] - times[first] <= window_) ++last;
            if (std::int64_t(last - first) > result.multiplicity) {
                result.multiplicity = std::int64_t(last - first);
                result.time = times[first];
            }
        }
        result.passed = result.multiplicity >= multiplicity_;
        frame->put(output_, result);
        events_.add();
        if (result.passed) {
            triggered_.add();
            if (frame->has("MCMuon")) triggered_energy_.fill(std::log10(frame->at<MuonTrack>("MCMuon").energy));
        }
        push(frame);
        if (!result.passed) return;

        auto physics = mpitray::make_frame(mpitray::Stop::physics());
        mpitray::EventHeader header = frame->at<mpitray::EventHeader>(mpitray::event_header_key);
        header.sub_event = 0;
        physics->put(mpitray::event_header_key, header);
        physics->put(cleaned_, std::move(coincident));
        push(physics);
    }

private:
    // Summaries, merged across workers: the trigger's efficiency against the generated energy.
    mpitray::Counter& events_ = summaries().counter("events");
    mpitray::Counter& triggered_ = summaries().counter("triggered");
    mpitray::WeightedHistogram& triggered_energy_ =
        summaries().histogram("log10_energy", log10_energy_bins, log10_energy_low, log10_energy_high);

    // The pulses with a neighbour on the same string (within span_ modules and coincidence_ ns).
    // Pulses are ordered by module index, string by string, so neighbours are at most span_
    // entries away.
    PulseSeries local_coincidences(const IceGeometry& geometry, const PulseSeries& pulses) const {
        PulseSeries out;
        const std::size_t n = pulses.size();
        for (std::size_t i = 0; i < n; ++i) {
            const auto mi = std::size_t(pulses.module[i]);
            bool found = false;
            const std::size_t low = i >= std::size_t(span_) ? i - std::size_t(span_) : 0;
            for (std::size_t j = low; j < std::min(n, i + std::size_t(span_) + 1) && !found; ++j) {
                const auto mj = std::size_t(pulses.module[j]);
                found = j != i && geometry.string[mi] == geometry.string[mj] &&
                        std::abs(geometry.om[mi] - geometry.om[mj]) <= span_ &&
                        std::abs(pulses.time[i] - pulses.time[j]) <= coincidence_;
            }
            if (!found) continue;
            out.module.push_back(pulses.module[i]);
            out.time.push_back(pulses.time[i]);
            out.charge.push_back(pulses.charge[i]);
        }
        return out;
    }

    std::string input_, output_, cleaned_;
    std::int64_t multiplicity_ = 8, span_ = 2;
    double window_ = 5000, coincidence_ = 1000;
};

}  // namespace

void register_trigger() {
    mpitray::ModuleRegistry::instance().add(
        {"Trigger",
         "multiplicity trigger on locally coincident pulses: TriggerResult in every Q frame; a passing Q frame gets "
         "one P frame with the coincident pulses, a failing one none",
         [] { return std::make_unique<Trigger>(); }});
}

}  // namespace icesim
