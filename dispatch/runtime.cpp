#include <mpitray/dispatch/runtime.hpp>

namespace mpitray {

DispatchRuntime& dispatch_runtime() {
    static DispatchRuntime runtime;
    return runtime;
}

}  // namespace mpitray
