#pragma once
// Writing and reading the fixed-size fields of protocol messages and batches: native byte order
// (every rank of a job runs on the same kind of machine), each field copied, never aliased.
#include <cstring>

namespace mpitray::wire {

// Writes `value` at `out` and moves past it.
template <class T>
void put(char*& out, T value) {
    std::memcpy(out, &value, sizeof value);
    out += sizeof value;
}

// Reads a T at `in` and moves past it.
template <class T>
T take(const char*& in) {
    T value;
    std::memcpy(&value, in, sizeof value);
    in += sizeof value;
    return value;
}

}  // namespace mpitray::wire
