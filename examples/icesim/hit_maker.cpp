// HitMaker: from photons at the modules to what the detector reads out, one pulse per module.
#include "detector.hpp"
#include "modules.hpp"

#include <mpitray/core/module_registry.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

namespace icesim {
namespace {

class HitMaker : public mpitray::Module {
public:
    HitMaker() {
        add_parameter<std::string>("input", "key of the PhotonHits", "MCHits");
        add_parameter<std::string>("output", "key of the PulseSeries put into the Q frame", "Pulses");
        add_parameter<double>("detection_probability",
                              "chance that a photon at a nominal module is detected; scaled by the module's "
                              "Calibration efficiency",
                              0.8);
        add_parameter<double>("noise_rate_hz", "dark noise rate of each live module", 500.0);
        add_parameter<double>("window_start_ns", "start of the readout window (noise is added over it)", -3000.0);
        add_parameter<double>("window_end_ns", "end of the readout window", 6000.0);
        add_parameter<double>("jitter_ns", "time resolution of a pulse", 2.0);
    }

    void configure() override {
        input_ = parameter<std::string>("input");
        output_ = parameter<std::string>("output");
        detection_ = parameter<double>("detection_probability");
        noise_rate_ = parameter<double>("noise_rate_hz");
        start_ = parameter<double>("window_start_ns");
        end_ = parameter<double>("window_end_ns");
        jitter_ = parameter<double>("jitter_ns");
        if (!(detection_ >= 0 && detection_ <= 1)) throw config_error("must be 0 to 1", "detection_probability");
        // The noise hits of an event grow with rate x window x modules: both are bounded (100 kHz,
        // 1 ms either side of the muon) so that an event's noise fits in memory.
        if (!(noise_rate_ >= 0 && noise_rate_ <= 1e5)) throw config_error("must be 0 to 1e5", "noise_rate_hz");
        if (!(start_ >= -1e6 && start_ <= 1e6)) throw config_error("must be -1e6 to 1e6 (1 ms)", "window_start_ns");
        if (!(end_ > start_ && end_ <= 1e6))
            throw config_error("must be after window_start_ns and at most 1e6 (1 ms)", "window_end_ns");
        if (!(jitter_ >= 0 && jitter_ <= 1e6)) throw config_error("must be 0 to 1e6", "jitter_ns");
    }

    void daq(const mpitray::FramePtr& frame) override {
        const auto& geometry = frame->at<IceGeometry>("Geometry");
        const auto& calibration = frame->at<IceCalibration>("Calibration");
        const auto& dead_list = frame->at<std::vector<std::int64_t>>("DeadModules");
        const auto& photons = frame->at<PhotonHits>(input_);
        check_module_indices(photons.module, geometry.size(), input_.c_str());
        check_module_indices(dead_list, geometry.size(), "DeadModules");
        if (calibration.efficiency.size() != geometry.size() || calibration.time_offset.size() != geometry.size())
            throw std::runtime_error("the Calibration does not describe the Geometry's " +
                                     std::to_string(geometry.size()) + " modules");
        std::vector<bool> dead(geometry.size(), false);
        for (std::int64_t m : dead_list) dead[std::size_t(m)] = true;

        mpitray::Rng& random = rng();
        struct Light {
            double first = 0, charge = 0;
        };
        std::map<std::int64_t, Light> lit;  // by module: ordered output, same on every rank
        auto add = [&lit](std::int64_t module, double time, double charge) {
            auto [it, added] = lit.try_emplace(module, Light{time, 0});
            it->second.first = std::min(it->second.first, time);
            it->second.charge += charge;
        };
        for (std::size_t i = 0; i < photons.module.size(); ++i) {
            const std::int64_t m = photons.module[i];
            if (dead[std::size_t(m)]) continue;  // draw nothing for dead modules, as below
            if (random.uniform() < detection_ * calibration.efficiency[std::size_t(m)])
                add(m, photons.time[i], photons.weight);
        }
        // Dark noise: one photoelectron at a random time in the window, on random modules.
        const double expected = noise_rate_ * 1e-9 * (end_ - start_) * double(geometry.size());
        const std::uint64_t noise = random.poisson(expected);
        for (std::uint64_t k = 0; k < noise; ++k) {
            const auto m = std::int64_t(random.uniform() * double(geometry.size()));
            const double t = random.uniform(start_, end_);
            if (!dead[std::size_t(m)]) add(m, t, 1.0);
        }

        PulseSeries pulses;
        for (const auto& [m, light] : lit) {
            const double t = light.first + calibration.time_offset[std::size_t(m)] + random.normal(0.0, jitter_);
            if (t < start_ || t > end_) continue;  // outside the readout window
            pulses.module.push_back(m);
            pulses.time.push_back(t);
            pulses.charge.push_back(light.charge);
        }
        count_pulses_per_string(geometry, pulses);
        frame->put(output_, std::move(pulses));
        push(frame);
    }

private:
    // A summary merged across workers: pulses per string (counts) and their charge (sum of
    // weights). Declared at the first event, when the Geometry tells how many strings there are.
    void count_pulses_per_string(const IceGeometry& geometry, const PulseSeries& pulses) {
        if (geometry.string.empty()) return;
        const std::int64_t strings = geometry.string.back();
        if (!per_string_ || per_string_->bins() != strings)  // a Geometry of another size is refused here
            per_string_ = &summaries().histogram("pulses_per_string", int(strings), 0.5, double(strings) + 0.5);
        for (std::size_t i = 0; i < pulses.module.size(); ++i)
            per_string_->fill(double(geometry.string[std::size_t(pulses.module[i])]), pulses.charge[i]);
    }
    mpitray::WeightedHistogram* per_string_ = nullptr;

    std::string input_, output_;
    double detection_ = 0.8, noise_rate_ = 500, start_ = -3000, end_ = 6000, jitter_ = 2;
};

}  // namespace

void register_hit_maker() {
    mpitray::ModuleRegistry::instance().add(
        {"HitMaker",
         "photons at the modules to pulses: module efficiency (Calibration) and time offsets, no light from dead "
         "modules (DetectorStatus), dark noise; one pulse per module",
         [] { return std::make_unique<HitMaker>(); }});
}

}  // namespace icesim
