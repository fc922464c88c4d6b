#pragma once
// What the fuzz targets share: how a target treats what the code under test throws.
//
// mpitray::Error (with its StorageError, SerializationError, ConfigError) is the documented way to
// refuse bad input: a clear message and an exit code. Anything else escaping (std::bad_alloc,
// std::length_error, an out_of_range from a container) would reach a user as a bare message or
// a crash, so it is a finding: the target aborts, and libFuzzer saves the input.
#include <mpitray/core/error.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace mpitray::fuzz {

template <class Body>
void expect_only_mpitray_errors(Body&& body) {
    try {
        body();
    } catch (const mpitray::Error&) {
        // refused with a message: fine
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz: an exception other than mpitray::Error escaped: %s\n", e.what());
        std::abort();
    }
}

}  // namespace mpitray::fuzz
