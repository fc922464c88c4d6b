// PhotonPropagator: the expensive step. Follows Cherenkov photons from the muon through the ice,
// scattering and absorbing, and records those that reach a module.
#include "detector.hpp"
#include "modules.hpp"

#include <mpitray/core/module_registry.hpp>

#include <cmath>
#include <memory>
#include <numbers>

namespace icesim {
namespace {

class PhotonPropagator : public mpitray::Module {
public:
    PhotonPropagator() {
        add_parameter<double>("photons_per_gev_km", "photons the muon emits per GeV of energy and km of track", 12.5);
        add_parameter<std::int64_t>("max_photons",
                                    "follow at most this many photons per event; each then stands for several "
                                    "(PhotonHits.weight)",
                                    200000);
        add_parameter<double>("light_radius_m",
                              "photons are emitted where the track is within this distance of the centre", 700.0);
        add_parameter<double>("scattering_m", "effective scattering length of the ice", 25.0);
        add_parameter<double>("absorption_m", "absorption length of the ice", 100.0);
        add_parameter<double>("mean_cos", "mean cosine of the scattering angle (Henyey-Greenstein g)", 0.9);
        add_parameter<double>("module_radius_m",
                              "radius within which a photon counts as reaching a module; modules are oversized, "
                              "as in real photon simulation, to follow fewer photons",
                              5.0);
        add_parameter<std::string>("output", "key of the PhotonHits put into the Q frame", "MCHits");
    }

    void configure() override {
        photons_per_gev_km_ = parameter<double>("photons_per_gev_km");
        max_photons_ = parameter<std::int64_t>("max_photons");
        light_radius_ = parameter<double>("light_radius_m");
        absorption_ = parameter<double>("absorption_m");
        g_ = parameter<double>("mean_cos");
        module_radius_ = parameter<double>("module_radius_m");
        output_ = parameter<std::string>("output");
        // Bounded so that the photon count (a Poisson draw, then an int64) and the lengths stay
        // finite and in range: 10^6 photons per GeV and km, 2^53 photons, 10 km.
        if (!(photons_per_gev_km_ >= 0 && photons_per_gev_km_ <= 1e6))
            throw config_error("must be 0 to 1e6", "photons_per_gev_km");
        if (max_photons_ < 1 || max_photons_ > mpitray::limits::count)
            throw config_error("must be 1 to 2^53", "max_photons");
        if (!(light_radius_ > 0 && light_radius_ <= 1e4))
            throw config_error("must be above 0 and at most 10000", "light_radius_m");
        if (!(absorption_ > 0 && absorption_ <= 1e4))
            throw config_error("must be above 0 and at most 10000", "absorption_m");
        if (!(g_ >= 0 && g_ < 1)) throw config_error("must be at least 0 and below 1", "mean_cos");
        if (!(module_radius_ > 0 && module_radius_ <= 1e4))
            throw config_error("must be above 0 and at most 10000", "module_radius_m");
        const double effective = parameter<double>("scattering_m");
        if (!(effective > 0 && effective <= 1e4))
            throw config_error("must be above 0 and at most 10000", "scattering_m");
        // The effective length folds in how forward each scattering is; steps use the geometric one.
        step_length_ = effective * (1 - g_);
    }

    void geometry(const mpitray::FramePtr& frame) override {
        locator_ = std::make_unique<ModuleLocator>(frame->at<IceGeometry>("Geometry"), module_radius_);
        push(frame);
    }

    void daq(const mpitray::FramePtr& frame) override {
        if (!locator_) throw std::runtime_error("no Geometry frame came before this Q frame");
        frame->put(output_, propagate(frame->at<MuonTrack>("MCMuon")));
        push(frame);
    }

private:
    PhotonHits propagate(const MuonTrack& muon) {
        mpitray::Rng& random = rng();
        PhotonHits hits;
        const Vec3 d = travel_direction(muon.zenith, muon.azimuth);
        const Vec3 closest{muon.x, muon.y, muon.z};
        const double b2 = closest.dot(closest);
        if (b2 >= light_radius_ * light_radius_) return hits;
        const double half = std::sqrt(light_radius_ * light_radius_ - b2);

        hits.emitted = std::int64_t(random.poisson(photons_per_gev_km_ * muon.energy * 2 * half / 1000));
        const std::int64_t followed = std::min(hits.emitted, max_photons_);
        if (followed == 0) return hits;
        hits.weight = double(hits.emitted) / double(followed);

        const double cos_cherenkov = 1 / ice_phase_index;
        const double light_speed = speed_of_light / ice_group_index;
        const double escape2 = (light_radius_ + 300) * (light_radius_ + 300);
        for (std::int64_t k = 0; k < followed; ++k) {
            const double s = random.uniform(-half, half);
            Vec3 position = closest + d * s;
            Vec3 direction = deflect(d, cos_cherenkov, random.uniform(0.0, 2 * std::numbers::pi));
            const double emitted_at = muon.time + s / speed_of_light;
            const double budget = random.exponential(absorption_);  // path length until absorbed
            double travelled = 0;
            while (travelled < budget) {
                const double step = std::min(random.exponential(step_length_), budget - travelled);
                const Vec3 next = position + direction * step;
                const ModuleHit hit = locator_->first_hit(position, next);
                if (hit.module >= 0) {
                    hits.module.push_back(hit.module);
                    hits.time.push_back(emitted_at + (travelled + hit.fraction * step) / light_speed);
                    break;
                }
                travelled += step;
                position = next;
                if (position.dot(position) > escape2) break;  // left the array for good
                direction = deflect(direction, henyey_greenstein(g_, random.uniform()),
                                    random.uniform(0.0, 2 * std::numbers::pi));
            }
        }
        return hits;
    }

    double photons_per_gev_km_ = 12.5;
    std::int64_t max_photons_ = 200000;
    double light_radius_ = 700, absorption_ = 100, g_ = 0.9, module_radius_ = 5, step_length_ = 2.5;
    std::string output_;
    std::unique_ptr<ModuleLocator> locator_;
};

}  // namespace

void register_photon_propagator() {
    mpitray::ModuleRegistry::instance().add(
        {"PhotonPropagator",
         "the expensive step: follows the muon's Cherenkov photons through scattering, absorbing ice to the modules "
         "(PhotonHits in the Q frame); cost grows with energy",
         [] { return std::make_unique<PhotonPropagator>(); }});
}

}  // namespace icesim
