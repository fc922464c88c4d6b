#pragma once
// The photon table: how many photons reach a module from a muon track, tabulated once from the
// ice model so that an event needs a lookup per module instead of following every photon (as
// real photon tables do for IceCube). Its size is a parameter: the table is what a node must hold,
// and what mpitray's shared tables hold once per node (docs/user-guide.md, "Shared tables").
//
// The value at (distance, angle, depth) is the mean number of photons a module of the given
// radius receives per photon emitted per metre of an infinite track: the track passes the module
// at that perpendicular distance, travels at that angle to the vertical (the cosine of its
// direction's z component), and the module sits at that height z in detector coordinates.
// Light spreads by diffusion from every point of the track, attenuated by the absorption of the
// ice between the emission point and the module, which the dust layer makes depend on depth;
// modules face down, so light that still moves up (from an up-going track, close by) counts more.
#include "types.hpp"

#include <mpitray/core/tables.hpp>

#include <cstddef>
#include <memory>
#include <span>

namespace icesim {

// The axes' ranges: beyond max_distance no light arrives (more than ten attenuation lengths);
// depths outside the range take the value at its edge.
inline constexpr double table_max_distance_m = 400;
inline constexpr double table_min_z_m = -600;
inline constexpr double table_max_z_m = 600;

// The request for the table of `ice` seen by modules of `module_radius_m`, as close to
// `megabytes` (MiB) as the shape allows: distances get four times the points of angles and depths.
mpitray::TableRequest photon_table_request(const IceModel& ice, double module_radius_m, double megabytes);

// Fills the table of `request` (made by photon_table_request) for `ice`; deterministic.
void fill_photon_table(std::span<double> values, const mpitray::TableRequest& request, const IceModel& ice,
                       double module_radius_m);

// Reads a built photon table, interpolating between its points.
class PhotonTable {
public:
    explicit PhotonTable(std::shared_ptr<const mpitray::Table> table);

    // Photons per photon emitted per metre of track; 0 beyond table_max_distance_m.
    double expected(double distance_m, double cos_angle, double z_m) const;
    const mpitray::Table& table() const noexcept { return *table_; }

private:
    std::shared_ptr<const mpitray::Table> table_;
    std::size_t distances_, angles_, depths_;
};

}  // namespace icesim
