#pragma once
// What every module of a tray can see of the tray: the seed, the pipeline text (provenance for
// output files) and how the run is ending, so a writer can record it.
#include <mpitray/core/checkpoint.hpp>
#include <mpitray/core/context.hpp>
#include <mpitray/core/stop.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mpitray {

enum class RunEnding {
    running,
    complete,     // the source ran out of input
    event_limit,  // --events was reached
    stopped,      // SIGINT/SIGTERM: a clean early stop
    failed,       // a module or the framework failed
};

// "complete", "event_limit", "stopped", "failed", "running".
const char* run_ending_name(RunEnding ending);

struct RunState {
    RunEnding ending = RunEnding::running;
    std::string reason;                 // the failure message, or the signal's name
    int signal = 0;                     // the signal that stopped the run, if any
    std::uint64_t input_frames = 0;     // input frames fully processed: all the source produced,
                                        // less any work a stopped or failed run abandoned
    std::uint64_t skipped_packets = 0;  // packets a Dispatch with on_error: skip left out
    std::string failure_log;            // where their input went, if anywhere
};

struct TrayEnvironment {
    std::uint64_t seed = 0;
    std::string pipeline_file;
    std::string pipeline_text;
    std::string overrides;  // command-line changes to the file: "--set A.b=1 --seed 3 --events 10"
    std::vector<Stop> metadata_stops{Stop::geometry(), Stop::calibration(), Stop::detector_status(), Stop::simulation(),
                                     Stop::tray_info()};
    RunState run;
    // A resumed run: the checkpoint it goes on from (mpitray run --resume). Only the serial tray
    // has it; an inner section's workers never need it.
    std::shared_ptr<const Checkpoint> resume_from;
    Context context;  // services handed in by the tray's builder (inner trays share them)

    bool is_metadata(Stop stop) const {
        for (Stop s : metadata_stops)
            if (s == stop) return true;
        return false;
    }
};

}  // namespace mpitray
