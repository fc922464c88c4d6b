#pragma once
// A frame's stop: one character saying what kind of record the frame is.
#include <compare>
#include <string>

namespace mpitray {

class Stop {
public:
    constexpr Stop() = default;
    constexpr explicit Stop(char code) : code_(code) {}

    constexpr char code() const noexcept { return code_; }
    // The user-visible stops are printable; the one non-printable stop is the shadow stop.
    constexpr bool printable() const noexcept { return code_ >= 0x21 && code_ <= 0x7e; }

    // "P" for a printable stop, "\x01" style for the rest, for messages.
    std::string name() const;

    constexpr auto operator<=>(const Stop&) const =
        default;  // NOLINT(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>

    static constexpr Stop geometry() { return Stop('G'); }
    static constexpr Stop calibration() { return Stop('C'); }
    static constexpr Stop detector_status() { return Stop('D'); }
    static constexpr Stop simulation() { return Stop('S'); }
    static constexpr Stop tray_info() { return Stop('I'); }
    static constexpr Stop daq() { return Stop('Q'); }
    static constexpr Stop physics() { return Stop('P'); }
    // The summaries of one module (summary_set.hpp), at the end of a run: carried past every
    // module but those that write or order frames (Writer, Dispatch).
    static constexpr Stop summary() { return Stop('Z'); }
    // Reserved and internal: stands behind a dispatched packet. Never reaches a user module or
    // a file.
    static constexpr Stop shadow() { return Stop('\x01'); }

private:
    char code_ = 'P';
};

// Parses a stop from a pipeline file or command line ("Q", "P", ...). Throws ConfigError
// unless it is exactly one printable character.
Stop parse_stop(const std::string& text);

}  // namespace mpitray
