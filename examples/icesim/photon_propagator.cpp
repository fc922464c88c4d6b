// PhotonPropagator: the expensive step. Follows Cherenkov photons from the muon through the ice,
// scattering and absorbing, and records those that reach a module.
#include "detector.hpp"
#include "modules.hpp"
#include "photon_table.hpp"

#include <mpitray/core/module_registry.hpp>

#include <cmath>
#include <memory>
#include <numbers>
#include <optional>
#include <vector>

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
        add_parameter<double>("module_radius_m",
                              "radius within which a photon counts as reaching a module; modules are oversized, "
                              "as in real photon simulation, to follow fewer photons",
                              5.0);
        add_parameter<std::string>("output", "key of the PhotonHits put into the Q frame", "MCHits");
        add_parameter<std::string>("mode",
                                   "'photons': follow every photon (up to max_photons) through the ice; 'table': "
                                   "look up the photons each module expects in a photon table built from the "
                                   "Calibration's ice model, once per node (shared tables), and draw them",
                                   "photons");
        add_parameter<double>("table_mb", "size of the photon table in MiB (mode 'table')", 256.0);
    }

    void configure() override {
        photons_per_gev_km_ = parameter<double>("photons_per_gev_km");
        max_photons_ = parameter<std::int64_t>("max_photons");
        light_radius_ = parameter<double>("light_radius_m");
        module_radius_ = parameter<double>("module_radius_m");
        output_ = parameter<std::string>("output");
        const std::string mode = parameter<std::string>("mode");
        if (mode != "photons" && mode != "table") throw config_error("must be 'photons' or 'table'", "mode");
        table_mode_ = mode == "table";
        table_mb_ = parameter<double>("table_mb");
        // Bounded so that the photon count (a Poisson draw, then an int64) and the lengths stay
        // finite and in range: 10^6 photons per GeV and km, 2^53 photons, 10 km.
        if (!(photons_per_gev_km_ >= 0 && photons_per_gev_km_ <= 1e6))
            throw config_error("must be 0 to 1e6", "photons_per_gev_km");
        if (max_photons_ < 1 || max_photons_ > mpitray::limits::count)
            throw config_error("must be 1 to 2^53", "max_photons");
        if (!(light_radius_ > 0 && light_radius_ <= 1e4))
            throw config_error("must be above 0 and at most 10000", "light_radius_m");
        if (!(module_radius_ > 0 && module_radius_ <= 1e4))
            throw config_error("must be above 0 and at most 10000", "module_radius_m");
        if (!(table_mb_ >= 0.01 && table_mb_ <= 65536)) throw config_error("must be 0.01 to 65536", "table_mb");
    }

    void geometry(const mpitray::FramePtr& frame) override {
        geometry_ = frame->at<IceGeometry>("Geometry");
        locator_ = std::make_unique<ModuleLocator>(geometry_, module_radius_);
        push(frame);
    }

    // A new Calibration may bring new ice: in table mode, the next generation of the photon table.
    // The previous one is let go here, and is gone once no module of this node holds it.
    void calibration(const mpitray::FramePtr& frame) override {
        // Forgotten first: if this Calibration is unusable (no ice model, a table that cannot be
        // built), the Q frames after it fail with that said, never with the previous ice.
        ice_.reset();
        table_.reset();
        if (!frame->has("IceModel"))
            throw std::runtime_error("the Calibration frame has no IceModel (the ice's optical properties)");
        const IceModel ice = frame->at<IceModel>("IceModel");
        if (table_mode_) {
            const mpitray::TableRequest request = photon_table_request(ice, module_radius_, table_mb_);
            const double radius = module_radius_;
            table_.emplace(table(request, [&request, ice, radius](std::span<double> values) {
                fill_photon_table(values, request, ice, radius);
            }));
        }
        ice_ = ice;
        // The effective length folds in how forward each scattering is; steps use the geometric one.
        step_length_ = ice.scattering_m * (1 - ice.mean_cos);
        push(frame);
    }

    void daq(const mpitray::FramePtr& frame) override {
        if (!locator_) throw std::runtime_error("no Geometry frame came before this Q frame");
        if (!ice_)
            throw std::runtime_error(
                "no usable Calibration frame came before this Q frame (none, or its ice model "
                "or photon table failed)");
        const MuonTrack& muon = frame->at<MuonTrack>("MCMuon");
        PhotonHits hits;
        const Emission light = emission(muon, hits);
        if (hits.emitted > 0) table_mode_ ? look_up(muon, light, hits) : propagate(muon, light, hits);
        frame->put(output_, std::move(hits));
        push(frame);
    }

private:
    // The stretch of track that emits light: its direction d, its point closest to the centre,
    // and half its length (0 when the track misses the light radius).
    struct Emission {
        Vec3 d, closest;
        double half = 0;
    };
    // Where `muon` emits and how many photons (hits.emitted, a Poisson draw).
    Emission emission(const MuonTrack& muon, PhotonHits& hits) {
        Emission e{travel_direction(muon.zenith, muon.azimuth), {muon.x, muon.y, muon.z}, 0};
        const double b2 = e.closest.dot(e.closest);
        if (b2 >= light_radius_ * light_radius_) return e;
        e.half = std::sqrt(light_radius_ * light_radius_ - b2);
        hits.emitted = std::int64_t(rng().poisson(photons_per_gev_km_ * muon.energy * 2 * e.half / 1000));
        return e;
    }

    void propagate(const MuonTrack& muon, const Emission& light, PhotonHits& hits) {
        mpitray::Rng& random = rng();
        const Vec3& d = light.d;
        const Vec3& closest = light.closest;
        const double half = light.half;
        const std::int64_t followed = std::min(hits.emitted, max_photons_);
        hits.weight = double(hits.emitted) / double(followed);

        const double cos_cherenkov = 1 / ice_phase_index;
        const double light_speed = speed_of_light / ice_group_index;
        const double escape2 = (light_radius_ + 300) * (light_radius_ + 300);
        for (std::int64_t k = 0; k < followed; ++k) {
            const double s = random.uniform(-half, half);
            Vec3 position = closest + d * s;
            Vec3 direction = deflect(d, cos_cherenkov, random.uniform(0.0, 2 * std::numbers::pi));
            const double emitted_at = muon.time + s / speed_of_light;
            const double budget = random.exponential(ice_->absorption_m);  // path length until absorbed
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
                direction = deflect(direction, henyey_greenstein(ice_->mean_cos, random.uniform()),
                                    random.uniform(0.0, 2 * std::numbers::pi));
            }
        }
    }

    // Table mode: each module's expected photons from the table, a Poisson number of them drawn,
    // each arriving when direct Cherenkov light would, delayed by scattering.
    void look_up(const MuonTrack& muon, const Emission& light, PhotonHits& hits) {
        mpitray::Rng& random = rng();
        const Vec3& d = light.d;
        const double half = light.half;
        const double per_metre = double(hits.emitted) / (2 * half);
        // The table is for an infinite track: past the ends of the emitting stretch light fades
        // with the bulk ice's attenuation length.
        const double fade = std::sqrt(ice_->scattering_m * ice_->absorption_m / 3);

        struct Expected {
            std::int64_t module;
            double mean, along, distance;
        };
        std::vector<Expected> expected;
        double total = 0;
        for (std::size_t m = 0; m < geometry_.size(); ++m) {
            const Vec3 relative = Vec3{geometry_.x[m], geometry_.y[m], geometry_.z[m]} - light.closest;
            const double along = relative.dot(d);
            const double distance = (relative - d * along).norm();
            double mean = per_metre * table_->expected(distance, d.z, geometry_.z[m]);
            if (mean <= 0) continue;
            if (std::abs(along) > half) mean *= std::exp(-(std::abs(along) - half) / fade);
            expected.push_back({std::int64_t(m), mean, along, distance});
            total += mean;
        }
        // As when following photons: at most max_photons drawn, each then standing for several.
        hits.weight = std::max(1.0, total / double(max_photons_));
        const double tan_cherenkov = std::sqrt(ice_phase_index * ice_phase_index - 1);
        const double sin_cherenkov = tan_cherenkov / ice_phase_index;
        const double light_speed = speed_of_light / ice_group_index;
        for (const Expected& e : expected) {
            const auto photons = random.poisson(e.mean / hits.weight);
            if (photons == 0) continue;
            const double direct = muon.time + (e.along - e.distance / tan_cherenkov) / speed_of_light +
                                  e.distance / sin_cherenkov / light_speed;
            // Scattered light arrives later the further it went, in units of scattering lengths.
            const double delay = std::max(0.1, e.distance * e.distance / (2 * ice_->scattering_m * light_speed));
            for (std::uint64_t k = 0; k < photons; ++k) {
                hits.module.push_back(e.module);
                hits.time.push_back(direct + random.exponential(delay));
            }
        }
    }

    double photons_per_gev_km_ = 12.5;
    std::int64_t max_photons_ = 200000;
    double light_radius_ = 700, module_radius_ = 5, step_length_ = 2.5;
    std::string output_;
    bool table_mode_ = false;
    double table_mb_ = 256;
    IceGeometry geometry_;
    std::unique_ptr<ModuleLocator> locator_;
    std::optional<IceModel> ice_;       // from the latest Calibration
    std::optional<PhotonTable> table_;  // its photon table, in table mode
};

}  // namespace

void register_photon_propagator() {
    mpitray::ModuleRegistry::instance().add(
        {"PhotonPropagator",
         "the expensive step: the muon's Cherenkov photons at the modules (PhotonHits in the Q frame), followed "
         "through scattering, absorbing ice (cost grows with energy), or drawn from a photon table built from the "
         "Calibration's ice model (mode 'table': one table per node)",
         [] { return std::make_unique<PhotonPropagator>(); }});
}

}  // namespace icesim
