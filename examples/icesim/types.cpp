#include "types.hpp"

#include <mpitray/core/type_registry.hpp>

#include <fmt/format.h>

#include <cmath>
#include <numbers>

namespace icesim {

namespace {
double degrees(double radians) { return radians * 180 / std::numbers::pi; }
}  // namespace

void register_icesim_types() {
    auto& registry = mpitray::TypeRegistry::instance();
    registry.add<IceGeometry>("IceGeometry");
    registry.add<IceCalibration>("IceCalibration");
    registry.add<IceModel>("IceModel");
    registry.add<MuonTrack>("MuonTrack");
    registry.add<PhotonHits>("PhotonHits");
    registry.add<PulseSeries>("PulseSeries");
    registry.add<TriggerResult>("TriggerResult");
    registry.add<LineFitResult>("LineFitResult");

    registry.set_columns<MuonTrack>([](const MuonTrack& t, mpitray::TableRow& row) {
        row.add("x", t.x);
        row.add("y", t.y);
        row.add("z", t.z);
        row.add("time", t.time);
        row.add("zenith", t.zenith);
        row.add("azimuth", t.azimuth);
        row.add("energy", t.energy);
    });
    registry.set_columns<LineFitResult>([](const LineFitResult& f, mpitray::TableRow& row) {
        row.add("x", f.x);
        row.add("y", f.y);
        row.add("z", f.z);
        row.add("time", f.time);
        row.add("zenith", f.zenith);
        row.add("azimuth", f.azimuth);
        row.add("speed", f.speed);
        row.add("pulses", f.pulses);
        row.add("ok", f.ok);
    });
    registry.set_columns<TriggerResult>([](const TriggerResult& t, mpitray::TableRow& row) {
        row.add("passed", t.passed);
        row.add("multiplicity", t.multiplicity);
        row.add("channels", t.channels);
        row.add("time", t.time);
    });

    registry.set_summary("IceGeometry", [](const void* object) {
        const auto& g = *static_cast<const IceGeometry*>(object);
        return fmt::format("{} modules on {} strings", g.size(), g.string.empty() ? 0 : g.string.back());
    });
    registry.set_summary("IceCalibration", [](const void* object) {
        const auto& c = *static_cast<const IceCalibration*>(object);
        return fmt::format("{} modules", c.efficiency.size());
    });
    registry.set_summary("IceModel", [](const void* object) {
        const auto& m = *static_cast<const IceModel*>(object);
        return fmt::format("version {}: scattering {:.4g} m, absorption {:.4g} m, dust x{:.3g} at z {:.0f} m",
                           m.version, m.scattering_m, m.absorption_m, m.dust_absorption, m.dust_z_m);
    });
    registry.set_summary("MuonTrack", [](const void* object) {
        const auto& t = *static_cast<const MuonTrack*>(object);
        return fmt::format("E {:.4g} GeV, zenith {:.1f} deg, azimuth {:.1f} deg, through ({:.0f}, {:.0f}, {:.0f}) m",
                           t.energy, degrees(t.zenith), degrees(t.azimuth), t.x, t.y, t.z);
    });
    registry.set_summary("PhotonHits", [](const void* object) {
        const auto& h = *static_cast<const PhotonHits*>(object);
        return fmt::format("{} photons detected of {} emitted, weight {:.3g}", h.module.size(), h.emitted, h.weight);
    });
    registry.set_summary("PulseSeries", [](const void* object) {
        const auto& p = *static_cast<const PulseSeries*>(object);
        double charge = 0;
        for (double q : p.charge) charge += q;
        return fmt::format("{} pulses, {:.4g} pe", p.size(), charge);
    });
    registry.set_summary("TriggerResult", [](const void* object) {
        const auto& t = *static_cast<const TriggerResult*>(object);
        return fmt::format("{}, multiplicity {} of {} channels", t.passed ? "passed" : "failed", t.multiplicity,
                           t.channels);
    });
    registry.set_summary("LineFitResult", [](const void* object) {
        const auto& f = *static_cast<const LineFitResult*>(object);
        if (!f.ok) return fmt::format("no fit ({} pulses)", f.pulses);
        return fmt::format("zenith {:.1f} deg, azimuth {:.1f} deg, {:.3f} m/ns from {} pulses", degrees(f.zenith),
                           degrees(f.azimuth), f.speed, f.pulses);
    });
}

}  // namespace icesim
