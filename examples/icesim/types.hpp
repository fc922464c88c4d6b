#pragma once
// The objects of the toy in-ice detector simulation. Each is a plain struct with a
// Boost.Serialization serialize(); register_icesim_types() registers them, with table columns
// for the ones that are one row per frame (MuonTrack, LineFitResult, TriggerResult).
//
// Coordinates are metres in the detector frame: z up, the origin at the centre of the array,
// which sits 1950 m below the ice surface. Times are nanoseconds. A direction is given as
// IceCube gives it: zenith and azimuth of where the particle comes FROM, so a muon with zenith 0
// travels straight down.
#include <boost/serialization/vector.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace icesim {

// The optical modules, struct of arrays: module i is on string `string[i]` (1-based), position
// `om[i]` on it (1 at the top), at (x[i], y[i], z[i]).
struct IceGeometry {
    std::vector<std::int64_t> string;
    std::vector<std::int64_t> om;
    std::vector<double> x, y, z;

    std::size_t size() const { return x.size(); }

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& string& om& x& y& z;
    }
};

// Per module: relative efficiency (1 = nominal) and the time offset its clock adds, in ns.
struct IceCalibration {
    std::vector<double> efficiency;
    std::vector<double> time_offset;

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& efficiency& time_offset;
    }
};

// The optical properties of the ice, carried in the Calibration frame (key "IceModel") beside the
// modules' calibration: a new Calibration may bring new ice. Lengths in metres.
struct IceModel {
    std::int64_t version = 0;   // the Calibration's version: 0 at the start, then one more per change
    double scattering_m = 25;   // effective scattering length (folds in how forward scattering is)
    double absorption_m = 100;  // absorption length of the bulk ice
    double mean_cos = 0.9;      // mean cosine of the scattering angle
    // A layer of dusty ice (as at 2000 to 2100 m at the South Pole), where light is absorbed
    // `dust_absorption` times faster: its centre in detector coordinates and its half-width.
    // Photon tables account for it; photons followed one by one see bulk ice only.
    double dust_z_m = -100;
    double dust_width_m = 30;
    double dust_absorption = 2.5;

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& version& scattering_m& absorption_m& mean_cos& dust_z_m& dust_width_m& dust_absorption;
    }
};

// A straight track: a point it passes at `time`, the direction it comes from, and its energy
// (GeV). The simulated muon passes (x, y, z) at time 0 at its closest approach to the origin.
struct MuonTrack {
    double x = 0, y = 0, z = 0, time = 0;
    double zenith = 0, azimuth = 0;
    double energy = 0;

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& x& y& z& time& zenith& azimuth& energy;
    }
};

// Photons that reached a module: its index into IceGeometry and the arrival time. Each photon
// stands for `weight` photons when the propagator had to cap the number it followed.
struct PhotonHits {
    std::vector<std::int64_t> module;
    std::vector<double> time;
    double weight = 1;
    std::int64_t emitted = 0;  // photons the track emitted (before any cap)

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& module& time& weight& emitted;
    }
};

// One pulse per module that saw light: its index, the leading-edge time and the charge (in
// photoelectrons), ordered by module index.
struct PulseSeries {
    std::vector<std::int64_t> module;
    std::vector<double> time;
    std::vector<double> charge;

    std::size_t size() const { return module.size(); }

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& module& time& charge;
    }
};

// The multiplicity trigger's verdict on one DAQ frame.
struct TriggerResult {
    bool passed = false;
    std::int64_t multiplicity = 0;  // the most locally coincident pulses in one window
    std::int64_t channels = 0;      // all pulses
    double time = 0;                // start of the best window, ns

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& passed& multiplicity& channels& time;
    }
};

// The line fit: the track through the pulses' positions at their times.
struct LineFitResult {
    double x = 0, y = 0, z = 0, time = 0;  // where the fitted line is at `time`
    double zenith = 0, azimuth = 0;
    double speed = 0;  // m/ns; a muon moves at 0.3
    std::int64_t pulses = 0;
    bool ok = false;  // false when there were too few pulses to fit

    template <class Archive>
    void serialize(Archive& archive, unsigned /*version*/) {
        archive& x& y& z& time& zenith& azimuth& speed& pulses& ok;
    }
};

// Registers the types above under the names "IceGeometry", "IceCalibration", "IceModel", "MuonTrack",
// "PhotonHits", "PulseSeries", "TriggerResult" and "LineFitResult".
void register_icesim_types();

}  // namespace icesim
