#pragma once
// The failure log of a Dispatch with on_error: skip (docs/user-guide.md, "When a packet fails"):
// a frame file holding the input of every skipped packet, each after the metadata frames it was
// sent after (each metadata frame once, in stream order), so that running the inner section on
// the log replays the failures; and one line per failure in its `failures` attribute. It follows
// the metadata Dispatch sends, to know what each packet was sent after.
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
    // Creates the file (as NAME.partial until it is closed). Throws StorageError.
    FailureLog(std::string path, const TrayEnvironment& environment, StopSet metadata_stops);
    ~FailureLog();

    // A metadata frame was sent: packets sent from now on were sent after it.
    void metadata_sent(const FramePtr& frame);
    // The latest metadata frame of each stop, in stream order: what a packet sent now is sent after.
    std::vector<FramePtr> context() const;

    // Writes a skipped unit (its `context` and `input`) and the report's line.
    void write(const InFlight& unit, const FailureReport& report);

    // Closes the file with the run's state and this Dispatch's skipped packets; called again
    // with a failed state (a later output failed to close), marks it failed.
    void close(RunState state, std::uint64_t skipped_packets);
    void discard() noexcept;
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    StopSet metadata_stops_;
    std::unique_ptr<io::FrameFileWriter> writer_;
    std::optional<RunEnding> closed_;      // how it was closed, once it is
    std::map<Stop, FramePtr> latest_;      // sent, by stop
    std::map<Stop, const Frame*> logged_;  // in the log, by stop
    std::string failures_;                 // the `failures` attribute
};

}  // namespace mpitray
