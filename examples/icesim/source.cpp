// IceSimSource: the detector's metadata frames, then one DAQ frame per simulated muon.
#include "detector.hpp"
#include "modules.hpp"

#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/standard_types.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace icesim {
namespace {

class IceSimSource : public mpitray::Module {
public:
    IceSimSource() {
        add_parameter<std::int64_t>("events", "muons to simulate, one Q frame each", 1000);
        add_parameter<std::int64_t>("run", "run number in every EventHeader", 1);
        add_parameter<std::int64_t>("first_event",
                                    "the first muon's event number: this run is the slice of a larger sample "
                                    "that starts there, and simulates exactly what the whole sample run at once "
                                    "would (merge slices with 'icesim merge')",
                                    0);
        add_parameter<std::int64_t>("strings", "strings in the array, on a hexagonal grid", 86);
        add_parameter<std::int64_t>("modules_per_string", "optical modules per string", 60);
        add_parameter<double>("string_spacing_m", "distance between neighbouring strings", 125.0);
        add_parameter<double>("module_spacing_m", "distance between modules on a string", 17.0);
        add_parameter<double>("dead_fraction", "fraction of modules dead in each DetectorStatus", 0.01);
        add_parameter<std::int64_t>("status_every",
                                    "a new DetectorStatus (other dead modules) every this many events; 0: only at "
                                    "the start",
                                    250);
        add_parameter<std::int64_t>("calibration_every",
                                    "a new Calibration (module efficiencies, clock offsets and ice model each drawn "
                                    "anew, the ice within about 10% of the parameters) every this many events; 0: "
                                    "only at the start",
                                    0);
        add_parameter<double>("scattering_m", "effective scattering length of the ice (IceModel)", 25.0);
        add_parameter<double>("absorption_m", "absorption length of the bulk ice (IceModel)", 100.0);
        add_parameter<double>("mean_cos", "mean cosine of the scattering angle, Henyey-Greenstein g (IceModel)", 0.9);
        add_parameter<double>("gamma", "spectral index: energies follow E^-gamma", 2.0);
        add_parameter<double>("emin_gev", "lowest muon energy", 100.0);
        add_parameter<double>("emax_gev", "highest muon energy", 1e6);
        add_parameter<double>("radius_m", "muons pass the centre within this distance (uniform over a disk)", 700.0);
    }

    bool is_source() const override { return true; }

    void configure() override {
        events_ = parameter<std::int64_t>("events");
        run_ = parameter<std::int64_t>("run");
        shape_.strings = parameter<std::int64_t>("strings");
        shape_.modules_per_string = parameter<std::int64_t>("modules_per_string");
        shape_.string_spacing = parameter<double>("string_spacing_m");
        shape_.module_spacing = parameter<double>("module_spacing_m");
        dead_fraction_ = parameter<double>("dead_fraction");
        status_every_ = parameter<std::int64_t>("status_every");
        calibration_every_ = parameter<std::int64_t>("calibration_every");
        ice_.scattering_m = parameter<double>("scattering_m");
        ice_.absorption_m = parameter<double>("absorption_m");
        ice_.mean_cos = parameter<double>("mean_cos");
        gamma_ = parameter<double>("gamma");
        emin_ = parameter<double>("emin_gev");
        emax_ = parameter<double>("emax_gev");
        radius_ = parameter<double>("radius_m");
        first_event_ = parameter<std::int64_t>("first_event");
        constexpr std::int64_t sample_limit = std::int64_t{1} << 53;
        if (events_ < 0 || events_ > sample_limit) throw config_error("must be 0 to 2^53", "events");
        if (first_event_ < 0 || first_event_ > sample_limit) throw config_error("must be 0 to 2^53", "first_event");
        if (shape_.strings < 1 || shape_.strings > 1000) throw config_error("must be 1 to 1000", "strings");
        if (shape_.modules_per_string < 1 || shape_.modules_per_string > 1000)
            throw config_error("must be 1 to 1000", "modules_per_string");
        // Lengths, energies and the spectral index are bounded so that the geometry and the
        // power law stay finite: 10 km, 10^12 GeV (beyond the highest cosmic rays), 0 to 5.
        if (!(shape_.string_spacing > 0 && shape_.string_spacing <= 1e4))
            throw config_error("must be above 0 and at most 10000", "string_spacing_m");
        if (!(shape_.module_spacing > 0 && shape_.module_spacing <= 1e4))
            throw config_error("must be above 0 and at most 10000", "module_spacing_m");
        if (!(dead_fraction_ >= 0 && dead_fraction_ < 1))
            throw config_error("must be at least 0 and below 1", "dead_fraction");
        if (status_every_ < 0 || status_every_ > sample_limit) throw config_error("must be 0 to 2^53", "status_every");
        if (calibration_every_ < 0 || calibration_every_ > sample_limit)
            throw config_error("must be 0 to 2^53", "calibration_every");
        // The ice of a later Calibration is within 30% of these, and must stay in range too.
        if (!(ice_.scattering_m >= 0.1 && ice_.scattering_m <= 1e4))
            throw config_error("must be 0.1 to 10000", "scattering_m");
        if (!(ice_.absorption_m >= 0.1 && ice_.absorption_m <= 1e4))
            throw config_error("must be 0.1 to 10000", "absorption_m");
        if (!(ice_.mean_cos >= 0 && ice_.mean_cos < 1))
            throw config_error("must be at least 0 and below 1", "mean_cos");
        if (!(gamma_ >= 0 && gamma_ <= 5)) throw config_error("must be 0 to 5", "gamma");
        if (!(emin_ > 0 && emin_ <= 1e12)) throw config_error("must be above 0 and at most 1e12", "emin_gev");
        if (!(emax_ > emin_ && emax_ <= 1e12))
            throw config_error("must be above emin_gev and at most 1e12", "emax_gev");
        if (!(radius_ > 0 && radius_ <= 1e4)) throw config_error("must be above 0 and at most 10000", "radius_m");
    }

    // The whole sample is: Geometry, Calibration 0, DetectorStatus 0, muons 0 .. status_every - 1,
    // DetectorStatus 1, and so on, with Calibration c (when calibration_every is set) before muon
    // c * calibration_every (and before a DetectorStatus due there). A slice (first_event > 0)
    // starts with the Geometry, the Calibration and the DetectorStatus in force at its first muon.
    // Every frame is placed where it sits in the whole sample (Module::place_in_sample), so a
    // slice simulates the same muons, calibrations and status frames as the whole sample, and its
    // leading metadata frames are byte for byte those 'merge' leaves out as repeated.
    bool produce() override {
        const std::int64_t event = first_event_ + next_;
        if (next_ == 0) {
            push_geometry();
            push_calibration(changes(event, calibration_every_));
            push_status(changes(event, status_every_));
        } else if (next_ < events_) {
            if (calibration_every_ > 0 && event % calibration_every_ == 0) push_calibration(event / calibration_every_);
            if (status_every_ > 0 && event % status_every_ == 0) push_status(event / status_every_);
        }
        if (next_ >= events_) return false;
        push_event(event);
        ++next_;
        return next_ < events_;
    }

private:
    // How many times something changing every `every` events has changed by muon `event` (its
    // version in force there); 0 when it never changes.
    static std::int64_t changes(std::int64_t event, std::int64_t every) { return every > 0 ? event / every : 0; }
    // Places in the whole sample: G at 0, C 0 at 1, D 0 at 2; before muon e come, besides those
    // three and the e muons, every change at or before it.
    std::uint64_t event_place(std::int64_t event) const {
        return std::uint64_t(event + 3 + changes(event, status_every_) + changes(event, calibration_every_));
    }
    // A change at muon b = c * every comes after the changes before b; a Calibration also before
    // a DetectorStatus due at b.
    std::uint64_t calibration_place(std::int64_t version) const {
        if (version == 0) return 1;
        const std::int64_t b = version * calibration_every_;
        return std::uint64_t(3 + b + changes(b - 1, status_every_) + version - 1);
    }
    std::uint64_t status_place(std::int64_t version) const {
        if (version == 0) return 2;
        const std::int64_t b = version * status_every_;
        return std::uint64_t(3 + b + version - 1 + changes(b, calibration_every_));
    }

    void push_geometry() {
        place_in_sample(0);
        auto g = mpitray::make_frame(mpitray::Stop::geometry());
        g->put("Geometry", make_geometry(shape_));
        g->put("ArrayDepth", array_depth);
        push(g);
    }

    // Calibration `version`: each module's efficiency and clock offset, and the ice, which from
    // version 1 on is the parameters' within about 10%.
    void push_calibration(std::int64_t version) {
        place_in_sample(calibration_place(version));
        const std::size_t modules = std::size_t(shape_.strings * shape_.modules_per_string);
        IceCalibration calibration;
        for (std::size_t i = 0; i < modules; ++i) {
            calibration.efficiency.push_back(std::clamp(rng().normal(1.0, 0.1), 0.5, 1.5));
            calibration.time_offset.push_back(rng().normal(0.0, 1.5));
        }
        IceModel ice = ice_;
        ice.version = version;
        if (version > 0) {
            ice.scattering_m *= std::clamp(rng().normal(1.0, 0.1), 0.7, 1.3);
            ice.absorption_m *= std::clamp(rng().normal(1.0, 0.1), 0.7, 1.3);
        }
        auto c = mpitray::make_frame(mpitray::Stop::calibration());
        c->put("Calibration", std::move(calibration));
        c->put("IceModel", ice);
        push(c);
    }

    // A new set of dead modules: each module dies with probability dead_fraction.
    void push_status(std::int64_t version) {
        place_in_sample(status_place(version));
        const std::int64_t modules = shape_.strings * shape_.modules_per_string;
        std::vector<std::int64_t> dead;
        for (std::int64_t m = 0; m < modules; ++m)
            if (rng().uniform() < dead_fraction_) dead.push_back(m);
        auto d = mpitray::make_frame(mpitray::Stop::detector_status());
        d->put("DeadModules", std::move(dead));
        d->put("StatusVersion", version);
        push(d);
    }

    void push_event(std::int64_t event) {
        place_in_sample(event_place(event));
        mpitray::Rng& random = rng();
        MuonTrack muon;
        // E^-gamma between emin and emax, by inverting its cumulative distribution.
        const double u = random.uniform();
        if (std::abs(gamma_ - 1) < 1e-9) {
            muon.energy = emin_ * std::pow(emax_ / emin_, u);
        } else {
            const double a = std::pow(emin_, 1 - gamma_), b = std::pow(emax_, 1 - gamma_);
            muon.energy = std::pow(a + u * (b - a), 1 / (1 - gamma_));
        }
        // From any direction, uniform over the sphere.
        muon.zenith = std::acos(random.uniform(-1.0, 1.0));
        muon.azimuth = random.uniform(0.0, 2 * std::numbers::pi);
        // Through a point uniform over the disk of radius_m around the centre, perpendicular to
        // the track: that point is its closest approach to the centre, passed at time 0.
        const Vec3 d = travel_direction(muon.zenith, muon.azimuth);
        Vec3 e1, e2;
        perpendiculars(d, e1, e2);
        const double r = radius_ * std::sqrt(random.uniform());
        const double psi = random.uniform(0.0, 2 * std::numbers::pi);
        const Vec3 p = e1 * (r * std::cos(psi)) + e2 * (r * std::sin(psi));
        muon.x = p.x;
        muon.y = p.y;
        muon.z = p.z;

        auto q = mpitray::make_frame(mpitray::Stop::daq());
        q->put(mpitray::event_header_key, mpitray::EventHeader{run_, event, 0});
        generated_.add();
        generated_energy_.fill(std::log10(muon.energy));
        q->put("MCMuon", muon);
        push(q);
    }

    // Summaries: what was generated, for efficiencies (the Trigger histograms the same binning).
    mpitray::Counter& generated_ = summaries().counter("generated");
    mpitray::WeightedHistogram& generated_energy_ =
        summaries().histogram("log10_energy", log10_energy_bins, log10_energy_low, log10_energy_high);

    std::int64_t events_ = 0;
    std::int64_t run_ = 1;
    ArrayShape shape_;
    double dead_fraction_ = 0.01;
    std::int64_t status_every_ = 0;
    std::int64_t calibration_every_ = 0;
    IceModel ice_;  // the parameters' ice, Calibration 0's
    double gamma_ = 2, emin_ = 100, emax_ = 1e6, radius_ = 700;
    std::int64_t first_event_ = 0;
    std::int64_t next_ = 0;  // muons made so far
};

}  // namespace

void register_source() {
    mpitray::ModuleRegistry::instance().add({"IceSimSource",
                                             "a toy in-ice array: Geometry, Calibration (with the ice model) and "
                                             "DetectorStatus frames, then one Q frame per muon "
                                             "(MCMuon: E^-gamma spectrum, any direction)",
                                             [] { return std::make_unique<IceSimSource>(); }});
}

}  // namespace icesim
