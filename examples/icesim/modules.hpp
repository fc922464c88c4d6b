#pragma once
// The icesim modules and types. register_icesim() registers all of them.
namespace icesim {

void register_source();             // IceSimSource
void register_photon_propagator();  // PhotonPropagator
void register_hit_maker();          // HitMaker
void register_trigger();            // Trigger
void register_line_fit();           // LineFit

void register_icesim();

}  // namespace icesim
