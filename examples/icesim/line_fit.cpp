// LineFit: the classic first-guess reconstruction. Fits the pulses' positions as a straight line
// in time, x_i = r + v t_i, by least squares; the direction of v is the track's.
#include "detector.hpp"
#include "modules.hpp"

#include <mpitray/core/module_registry.hpp>

namespace icesim {
namespace {

class LineFit : public mpitray::Module {
public:
    LineFit() {
        add_parameter<std::string>("input", "key of the PulseSeries to fit", "CleanedPulses");
        add_parameter<std::string>("output", "key of the LineFitResult put into the P frame", "LineFit");
        add_parameter<std::int64_t>("min_pulses", "fewer pulses give a result with ok = false", 5);
    }

    void configure() override {
        input_ = parameter<std::string>("input");
        output_ = parameter<std::string>("output");
        min_pulses_ = parameter<std::int64_t>("min_pulses");
        if (min_pulses_ < 2 || min_pulses_ > mpitray::limits::count)
            throw config_error("must be 2 to 2^53", "min_pulses");
    }

    void physics(const mpitray::FramePtr& frame) override {
        const auto& geometry = frame->at<IceGeometry>("Geometry");
        const auto& pulses = frame->at<PulseSeries>(input_);
        check_module_indices(pulses.module, geometry.size(), input_.c_str());
        frame->put(output_, fit(geometry, pulses));
        push(frame);
    }

private:
    LineFitResult fit(const IceGeometry& geometry, const PulseSeries& pulses) const {
        LineFitResult result;
        result.pulses = std::int64_t(pulses.size());
        if (result.pulses < min_pulses_) return result;
        const double n = double(pulses.size());
        Vec3 mean_position;
        double mean_time = 0;
        for (std::size_t i = 0; i < pulses.size(); ++i) {
            const auto m = std::size_t(pulses.module[i]);
            mean_position = mean_position + Vec3{geometry.x[m], geometry.y[m], geometry.z[m]} * (1 / n);
            mean_time += pulses.time[i] / n;
        }
        Vec3 covariance;
        double variance = 0;
        for (std::size_t i = 0; i < pulses.size(); ++i) {
            const auto m = std::size_t(pulses.module[i]);
            const double dt = pulses.time[i] - mean_time;
            covariance = covariance + (Vec3{geometry.x[m], geometry.y[m], geometry.z[m]} - mean_position) * dt;
            variance += dt * dt;
        }
        if (!(variance > 0)) return result;
        const Vec3 velocity = covariance * (1 / variance);
        result.speed = velocity.norm();
        if (!(result.speed > 0)) return result;
        source_angles(velocity, result.zenith, result.azimuth);
        result.x = mean_position.x;
        result.y = mean_position.y;
        result.z = mean_position.z;
        result.time = mean_time;
        result.ok = true;
        return result;
    }

    std::string input_, output_;
    std::int64_t min_pulses_ = 5;
};

}  // namespace

void register_line_fit() {
    mpitray::ModuleRegistry::instance().add(
        {"LineFit",
         "least-squares line fit of the pulses' positions against their times (LineFitResult in the P frame)",
         [] { return std::make_unique<LineFit>(); }});
}

}  // namespace icesim
