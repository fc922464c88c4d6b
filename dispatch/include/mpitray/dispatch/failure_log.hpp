#pragma once
// The failure log of a Dispatch with on_error: skip (docs/user-guide.md, "When a packet fails"):
// a frame file holding the input of every skipped packet, each after the metadata frames it was
// sent after (each metadata frame once, in stream order), so that running the inner section on
// the log replays the failures; and one line per failure in its `failures` attribute. It follows
// the metadata Dispatch sends, to know what each packet was sent after.
//
// Packets are written in input order, when the Dispatch writes their (absent) results, so the
// log at a checkpoint holds exactly the packets skipped before it; a resumed run goes on from
// there (docs/user-guide.md, "Resuming a run").
#include <mpitray/core/checkpoint.hpp>
#include <mpitray/core/frame.hpp>
#include <mpitray/core/run_state.hpp>
#include <mpitray/core/stop_set.hpp>
#include <mpitray/dispatch/in_flight.hpp>
#include <mpitray/receiver/packet_feeder.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mpitray {

namespace io {
class FrameFileWriter;  // defined in io, which brings HDF5
}  // namespace io

class FailureLog {
public:
    // Creates the file (as NAME.partial until it is closed), or in a resumed run
    // (environment.resume_from) goes on writing it where it was rewound to. Throws StorageError.
    FailureLog(std::string path, const TrayEnvironment& environment, StopSet metadata_stops);
    ~FailureLog();

    // A metadata frame was sent: packets sent from now on were sent after it.
    void metadata_sent(const FramePtr& frame);
    // The latest metadata frame of each stop, in stream order: what a packet sent now is sent after.
    std::vector<FramePtr> context() const;

    // Writes a skipped unit (its `context` and `input`) and the report's line.
    void write(const InFlight& unit, const FailureReport& report);
    // Records a checkpoint of the run (core/checkpoint.hpp) with what the log holds.
    void checkpoint(const Checkpoint& checkpoint);

    // Closes the file with the run's state and this Dispatch's skipped packets; called again
    // with a failed state (a later output failed to close), marks it failed.
    void close(RunState state, std::uint64_t skipped_packets);
    void discard() noexcept;
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    StopSet metadata_stops_;
    std::unique_ptr<io::FrameFileWriter> writer_;
    std::optional<RunEnding> closed_;  // how it was closed, once it is
    std::map<Stop, FramePtr> latest_;  // sent, by stop
    // The encoding of the latest metadata frame of each stop in the log. By content, not by
    // frame: a resumed run's frames are new objects, and the log holds its predecessor's.
    std::map<Stop, std::string> logged_;
};

}  // namespace mpitray
