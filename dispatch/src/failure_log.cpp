#include <mpitray/dispatch/failure_log.hpp>

#include <mpitray/io/frame_file_writer.hpp>
#include <mpitray/io/output_file.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace mpitray {

FailureLog::FailureLog(std::string path, const TrayEnvironment& environment, StopSet metadata_stops)
    : path_(std::move(path)), metadata_stops_(std::move(metadata_stops)) {
    writer_ = std::make_unique<io::FrameFileWriter>(
        path_,
        io::Provenance{environment.pipeline_file, environment.pipeline_text, environment.seed, environment.overrides});
}

FailureLog::~FailureLog() = default;

void FailureLog::metadata_sent(const FramePtr& frame) { latest_[frame->stop()] = frame; }

std::vector<FramePtr> FailureLog::context() const {
    std::vector<FramePtr> context;
    for (const auto& [stop, frame] : latest_) context.push_back(frame);
    std::sort(context.begin(), context.end(),
              [](const FramePtr& a, const FramePtr& b) { return a->origin.input < b->origin.input; });
    return context;
}

void FailureLog::write(const InFlight& unit, const FailureReport& report) {
    for (const FramePtr& frame : unit.context) {
        if (logged_[frame->stop()] == frame.get()) continue;
        writer_->write(*frame);
        logged_[frame->stop()] = frame.get();
    }
    for (const FramePtr& frame : unit.input) {
        writer_->write(*frame);
        if (metadata_stops_.contains(frame->stop())) logged_[frame->stop()] = frame.get();
    }
    failures_ +=
        fmt::format("packet {} ({} frames from input position {}): module '{}' failed on {} on rank {} ({}): {}\n",
                    value(report.seq), unit.input.size(), unit.first_input, report.module, report.frame, report.rank,
                    report.host, report.message);
    writer_->note("failures", failures_);
}

void FailureLog::close(RunState state, std::uint64_t skipped_packets) {
    state.skipped_packets = skipped_packets;
    state.failure_log = path_;
    if (writer_->is_open()) {
        writer_->close(state);
        closed_ = state.ending;
    } else if (state.ending == RunEnding::failed && closed_ && *closed_ != RunEnding::failed) {
        io::mark_ended(path_, state);  // a later output failed to close: so did the run
        closed_ = state.ending;
    }
}

void FailureLog::discard() noexcept { writer_->discard(); }

}  // namespace mpitray
