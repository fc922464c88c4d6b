#include "reconstruct.hpp"

#include <mpitray/core/module_registry.hpp>

namespace {
class Reconstruct : public mpitray::Module {
public:
    void physics(const mpitray::FramePtr& frame) override {
        frame->put("Track", Track{rng().uniform(0, 3.14), rng().uniform(0, 6.28)});
        push(frame);
    }
};
}  // namespace

// Explicit registration: the project may put this file into a static library.
void register_reconstruct() {
    mpitray::TypeRegistry::instance().add<Track>("Track");
    mpitray::ModuleRegistry::instance().add(
        {"Reconstruct", "fits a Track", [] { return std::make_unique<Reconstruct>(); }});
}
