#include "modules.hpp"
#include "types.hpp"

namespace icesim {

void register_icesim() {
    register_icesim_types();
    register_source();
    register_photon_propagator();
    register_hit_maker();
    register_trigger();
    register_line_fit();
}

}  // namespace icesim
