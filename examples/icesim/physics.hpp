#pragma once
// Vectors, constants and the few formulas the toy simulation shares.
#include <algorithm>
#include <cmath>
#include <numbers>

namespace icesim {

inline constexpr double speed_of_light = 0.299792458;  // m/ns
inline constexpr double ice_phase_index = 1.31;        // sets the Cherenkov angle
inline constexpr double ice_group_index = 1.35;        // sets how fast light travels in ice
inline constexpr double array_depth = 1950.0;          // m below the surface at z = 0

// The binning of the summaries' muon energy histograms (IceSimSource's generated, Trigger's
// triggered): log10 of the energy in GeV, 10 GeV to 10 PeV, four bins a decade.
inline constexpr int log10_energy_bins = 24;
inline constexpr double log10_energy_low = 1.0;
inline constexpr double log10_energy_high = 7.0;

struct Vec3 {
    double x = 0, y = 0, z = 0;

    Vec3 operator+(const Vec3& o) const { return {x + o.x, y + o.y, z + o.z}; }
    Vec3 operator-(const Vec3& o) const { return {x - o.x, y - o.y, z - o.z}; }
    Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
    double dot(const Vec3& o) const { return x * o.x + y * o.y + z * o.z; }
    double norm() const { return std::sqrt(dot(*this)); }
};

// The direction a particle travels, from the zenith and azimuth of where it comes from.
inline Vec3 travel_direction(double zenith, double azimuth) {
    return {-std::sin(zenith) * std::cos(azimuth), -std::sin(zenith) * std::sin(azimuth), -std::cos(zenith)};
}

// The zenith and azimuth (in [0, 2 pi)) a particle travelling along `d` comes from.
inline void source_angles(const Vec3& d, double& zenith, double& azimuth) {
    const double n = d.norm();
    zenith = std::acos(std::clamp(-d.z / n, -1.0, 1.0));
    azimuth = std::atan2(-d.y, -d.x);
    if (azimuth < 0) azimuth += 2 * std::numbers::pi;
}

// The angle between two directions given as zenith and azimuth, in radians.
inline double opening_angle(double zenith1, double azimuth1, double zenith2, double azimuth2) {
    const double c =
        std::sin(zenith1) * std::sin(zenith2) * std::cos(azimuth1 - azimuth2) + std::cos(zenith1) * std::cos(zenith2);
    return std::acos(std::clamp(c, -1.0, 1.0));
}

// `d` (a unit vector) turned by the polar angle whose cosine is `cos_theta`, around itself by
// the azimuth `phi`.
inline Vec3 deflect(const Vec3& d, double cos_theta, double phi) {
    const double sin_theta = std::sqrt(std::max(0.0, 1 - cos_theta * cos_theta));
    const double c = std::cos(phi), s = std::sin(phi);
    if (std::abs(d.z) > 0.99999) return {sin_theta * c, sin_theta * s, cos_theta * (d.z > 0 ? 1 : -1)};
    const double r = std::sqrt(1 - d.z * d.z);
    return {sin_theta * (d.x * d.z * c - d.y * s) / r + d.x * cos_theta,
            sin_theta * (d.y * d.z * c + d.x * s) / r + d.y * cos_theta, -sin_theta * c * r + d.z * cos_theta};
}

// Two unit vectors perpendicular to the unit vector `d` and to each other.
inline void perpendiculars(const Vec3& d, Vec3& u, Vec3& v) {
    const Vec3 helper = std::abs(d.z) < 0.9 ? Vec3{0, 0, 1} : Vec3{1, 0, 0};
    u = {helper.y * d.z - helper.z * d.y, helper.z * d.x - helper.x * d.z, helper.x * d.y - helper.y * d.x};
    u = u * (1 / u.norm());
    v = {d.y * u.z - d.z * u.y, d.z * u.x - d.x * u.z, d.x * u.y - d.y * u.x};
}

// The cosine of a Henyey-Greenstein scattering angle with mean cosine g, from a uniform u.
inline double henyey_greenstein(double g, double u) {
    if (g == 0) return 2 * u - 1;
    const double f = (1 - g * g) / (1 - g + 2 * g * u);
    return std::clamp((1 + g * g - f * f) / (2 * g), -1.0, 1.0);
}

}  // namespace icesim
