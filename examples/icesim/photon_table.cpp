#include "photon_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace icesim {
namespace {

// The absorption coefficient (1/m) of the ice at height z, and its running integral on a 1 m grid,
// from which its mean over a vertical stretch (from an emission point to a module) follows.
class Absorption {
public:
    explicit Absorption(const IceModel& ice) : ice_(ice) {
        const auto steps = std::size_t(high - low);
        integral_.resize(steps + 1);
        for (std::size_t i = 1; i <= steps; ++i) {
            const double z = low + double(i);
            integral_[i] = integral_[i - 1] + 0.5 * (at(z - 1) + at(z));
        }
    }

    double at(double z) const {
        const double x = (z - ice_.dust_z_m) / ice_.dust_width_m;
        return (1 + (ice_.dust_absorption - 1) * std::exp(-x * x)) / ice_.absorption_m;
    }

    // The integral of the coefficient from the grid's lower edge to z (clamped to the grid).
    double integral(double z) const {
        const double t = std::clamp(z, low, high) - low;
        const auto i = std::min(std::size_t(t), integral_.size() - 2);
        const double f = t - double(i);
        return integral_[i] * (1 - f) + integral_[i + 1] * f;
    }

private:
    static constexpr double low = table_min_z_m - 2 * table_max_distance_m;
    static constexpr double high = table_max_z_m + 2 * table_max_distance_m;

    IceModel ice_;
    std::vector<double> integral_;  // from `low` to low + i metres
};

// The point `i` of `n` evenly spaced from lo to hi.
double axis_point(std::size_t i, std::size_t n, double lo, double hi) {
    return lo + (hi - lo) * double(i) / double(n - 1);
}

// Where x falls on an axis of n points from lo to hi: the point below it and the fraction of the
// way to the next one (clamped to the axis).
void locate(double x, double lo, double hi, std::size_t n, std::size_t& i, double& f) {
    const double t = std::clamp((x - lo) / (hi - lo), 0.0, 1.0) * double(n - 1);
    i = std::min(std::size_t(t), n - 2);
    f = t - double(i);
}

}  // namespace

mpitray::TableRequest photon_table_request(const IceModel& ice, double module_radius_m, double megabytes) {
    const double values = megabytes * double(1 << 20) / sizeof(double);
    const auto n = std::max<std::size_t>(2, std::size_t(std::cbrt(values / 4)));
    // The identity is every number the values depend on, exactly (hexadecimal floating point).
    return {"icesim.photon_table",
            fmt::format("ice model version {}: scattering {:a}, absorption {:a}, mean cosine {:a}, dust {:a} x{:a} "
                        "at {:a}; module radius {:a}",
                        ice.version, ice.scattering_m, ice.absorption_m, ice.mean_cos, ice.dust_width_m,
                        ice.dust_absorption, ice.dust_z_m, module_radius_m),
            {4 * n, n, n}};
}

void fill_photon_table(std::span<double> values, const mpitray::TableRequest& request, const IceModel& ice,
                       double module_radius_m) {
    const std::size_t distances = request.shape.at(0), angles = request.shape.at(1), depths = request.shape.at(2);
    if (values.size() != distances * angles * depths) throw std::logic_error("photon table of the wrong size");
    const Absorption absorption(ice);
    const double scattering = ice.scattering_m;
    // Diffusion from a point source: a module of radius R at distance r receives
    // R^2 exp(-r / L) 3 / (4 scattering r) of each photon, L = sqrt(scattering / (3 absorption)).
    // Along the track (s = d sinh u, r = d cosh u, ds / r = du) the integral is over u.
    const double scale = module_radius_m * module_radius_m * 3 / (4 * scattering);
    const double bulk_length = std::sqrt(scattering * ice.absorption_m / 3);
    const double diffusion = 3 / scattering;  // 1 / L^2 = diffusion * absorption
    constexpr std::size_t points = 16;
    std::array<double, points> along{}, from{}, weight{};  // s, r and the quadrature weight
    std::array<double, points> rise{}, per_rise{};         // the height gained along s, and 1 / it
    std::size_t next = 0;
    for (std::size_t id = 0; id < distances; ++id) {
        const double d = std::max(module_radius_m, axis_point(id, distances, 0, table_max_distance_m));
        const double reach = std::acosh(std::max(1.5, 25 * bulk_length / d));  // further: exp(-25) at most
        const double du = 2 * reach / double(points - 1);
        for (std::size_t k = 0; k < points; ++k) {
            const double u = -reach + du * double(k);
            along[k] = d * std::sinh(u);
            from[k] = d * std::cosh(u);
            weight[k] = (k == 0 || k == points - 1) ? du / 2 : du;
        }
        for (std::size_t ia = 0; ia < angles; ++ia) {
            const double cos_angle = axis_point(ia, angles, -1, 1);
            const double facing = 1 + 0.4 * std::exp(-d / scattering) * cos_angle;
            for (std::size_t k = 0; k < points; ++k) {
                rise[k] = along[k] * cos_angle;
                per_rise[k] = std::abs(rise[k]) < 0.5 ? 0 : 1 / rise[k];
            }
            for (std::size_t iz = 0; iz < depths; ++iz) {
                const double z = axis_point(iz, depths, table_min_z_m, table_max_z_m);
                const double below = absorption.integral(z);
                double sum = 0;
                for (std::size_t k = 0; k < points; ++k) {
                    // The mean absorption on the way: over the height the light climbs or sinks.
                    const double mu = per_rise[k] == 0 ? absorption.at(z + rise[k] / 2)
                                                       : (absorption.integral(z + rise[k]) - below) * per_rise[k];
                    sum += weight[k] * std::exp(-from[k] * std::sqrt(diffusion * mu));
                }
                values[next++] = scale * facing * sum;
            }
        }
    }
}

PhotonTable::PhotonTable(std::shared_ptr<const mpitray::Table> table) : table_(std::move(table)) {
    const auto& shape = table_->shape();
    if (shape.size() != 3 || shape[0] < 2 || shape[1] < 2 || shape[2] < 2)
        throw std::logic_error("a photon table has three axes of at least two points");
    distances_ = shape[0];
    angles_ = shape[1];
    depths_ = shape[2];
}

double PhotonTable::expected(double distance_m, double cos_angle, double z_m) const {
    if (!(distance_m < table_max_distance_m)) return 0;
    std::size_t i[3];
    double f[3];
    locate(distance_m, 0, table_max_distance_m, distances_, i[0], f[0]);
    locate(cos_angle, -1, 1, angles_, i[1], f[1]);
    locate(z_m, table_min_z_m, table_max_z_m, depths_, i[2], f[2]);
    const std::span<const double> v = table_->values();
    double sum = 0;
    for (int corner = 0; corner < 8; ++corner) {
        const std::size_t a = i[0] + (corner & 1), b = i[1] + ((corner >> 1) & 1), c = i[2] + ((corner >> 2) & 1);
        const double w = ((corner & 1) ? f[0] : 1 - f[0]) * (((corner >> 1) & 1) ? f[1] : 1 - f[1]) *
                         (((corner >> 2) & 1) ? f[2] : 1 - f[2]);
        sum += w * v[(a * angles_ + b) * depths_ + c];
    }
    return sum;
}

}  // namespace icesim
