#pragma once
// Writing and reading the fixed-size fields of protocol messages and batches: native byte order
// (every rank of a job runs on the same kind of machine), each field copied, never aliased; and
// the head both start with.
#include <mpitray/core/bytes.hpp>
#include <mpitray/core/error.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <string_view>

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

// Every message and batch starts with the same 8 bytes: its magic, its format version, 2 reserved.
constexpr std::size_t head_size = 8;

inline void put_head(char*& out, const char (&magic)[4], std::uint16_t version) {
    std::memcpy(out, magic, sizeof magic);
    out += sizeof magic;
    put<std::uint16_t>(out, version);
    put<std::uint16_t>(out, 0);
}

// Checks a received head: at least `smallest` bytes, the magic, the version this build speaks.
// Returns where the fields after the head begin. `what`: "a protocol message", for the errors;
// `kind`: "protocol message", as in "protocol message version 3".
inline const char* take_head(const ByteView& bytes, const char (&magic)[4], std::uint16_t version, std::size_t smallest,
                             std::string_view what, std::string_view kind) {
    if (bytes.size() < smallest || std::memcmp(bytes.data(), magic, sizeof magic) != 0)
        throw SerializationError(fmt::format("not {} ({} bytes)", what, bytes.size()));
    const char* in = bytes.data() + sizeof magic;
    if (const auto got = take<std::uint16_t>(in); got != version)
        throw SerializationError(fmt::format(
            "{} version {} (this build speaks {}): are all ranks running the same mpitray?", kind, got, version));
    take<std::uint16_t>(in);
    return in;
}

}  // namespace mpitray::wire
