#pragma once
// Object types used by the tests.
#include <mpitray/core/type_registry.hpp>

#include <string>

namespace mpitray::test {

// Never registered: asking for it must fail with a clear message.
struct Unregistered {
    int x = 0;
    template <class Archive>
    void serialize(Archive& archive, unsigned) {
        archive& x;
    }
};

}  // namespace mpitray::test
