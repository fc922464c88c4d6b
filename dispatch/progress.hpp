#pragma once
// Progress on rank 0 for long runs: packets done, rate and (when the event count is known) ETA.
// On a terminal, one line that updates in place; otherwise (a SLURM log) a plain line every
// few seconds.
#include <cstdint>
#include <optional>

namespace mpitray {

class Progress {
public:
    Progress(bool enabled, std::optional<std::uint64_t> expected);
    void done(std::uint64_t packets);
    void finish();
    double elapsed() const;  // seconds since construction

private:
    void print(bool final);

    bool enabled_;
    bool terminal_;
    std::optional<std::uint64_t> expected_;
    std::int64_t start_ns_;
    std::int64_t last_print_ns_;
    std::uint64_t done_ = 0;
    bool printed_ = false;
};

}  // namespace mpitray
