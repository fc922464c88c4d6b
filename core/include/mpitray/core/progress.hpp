#pragma once
// Progress on rank 0 for long runs: units done (Dispatch's packets, or a serial run's events),
// rate and, when the event count is known, ETA. On a terminal, one line that updates in place;
// otherwise (a SLURM log) a plain line every few seconds. Dispatch and the serial tray share it,
// so both print the same lines at the same pace.
#include <cstdint>
#include <optional>
#include <string>

namespace mpitray {

class Progress {
public:
    // `unit`: what is counted, in plural, as the line names it ("packets", "events").
    Progress(bool enabled, std::optional<std::uint64_t> expected, std::string unit);
    void done(std::uint64_t units);
    void finish();
    double elapsed() const;                              // seconds since construction
    double elapsed_at(std::int64_t monotonic_ns) const;  // from construction to that time (core/clock.hpp)

private:
    void print(bool final);

    bool enabled_;
    bool terminal_;
    std::optional<std::uint64_t> expected_;
    std::string unit_;
    std::int64_t interval_ns_;  // between lines
    std::int64_t first_ns_;     // before the first line: short runs print nothing
    std::int64_t start_ns_;
    std::int64_t last_print_ns_;
    std::uint64_t done_ = 0;
    bool printed_ = false;
};

}  // namespace mpitray
