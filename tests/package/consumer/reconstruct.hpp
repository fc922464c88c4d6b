#pragma once
// A physics project's own object type and module, as a consumer of the installed mpitray.
#include <mpitray/core/module.hpp>

struct Track {
    double zenith = 0, azimuth = 0;
    template <class Archive>
    void serialize(Archive& archive, unsigned) {
        archive& zenith& azimuth;
    }
};

void register_reconstruct();
