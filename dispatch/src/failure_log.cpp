#include <mpitray/dispatch/failure_log.hpp>

#include <mpitray/core/frame_codec.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/frame_file_writer.hpp>
#include <mpitray/io/output_file.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace mpitray {
namespace {
constexpr const char* failures_note = "failures";
}  // namespace

FailureLog::FailureLog(std::string path, const TrayEnvironment& environment, StopSet metadata_stops)
    : path_(std::move(path)), metadata_stops_(std::move(metadata_stops)) {
    io::WriterOptions options;
    options.appended_notes = {failures_note};
    if (!environment.resume_from) {
        writer_ =
            std::make_unique<io::FrameFileWriter>(path_,
                                                  io::Provenance{environment.pipeline_file, environment.pipeline_text,
                                                                 environment.seed, environment.overrides},
                                                  options);
        return;
    }
    {  // what the rewound log holds already
        io::FrameFileReader log(path_ + ".partial");
        while (std::optional<SharedBuffer> encoded = log.next_encoded()) {
            const Stop stop((*encoded)->at(6));
            if (metadata_stops_.contains(stop)) logged_[stop].assign((*encoded)->begin(), (*encoded)->end());
        }
    }
    writer_ = std::make_unique<io::FrameFileWriter>(path_, io::OutputFile::Continue{}, options);
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
        const ByteView encoded = encode_frame(*frame);
        std::string& logged = logged_[frame->stop()];
        if (std::string_view(encoded.data(), encoded.size()) == logged) continue;
        writer_->write_encoded(encoded.span());
        logged.assign(encoded.data(), encoded.size());
    }
    for (const FramePtr& frame : unit.input) {
        const ByteView encoded = encode_frame(*frame);
        writer_->write_encoded(encoded.span());
        if (metadata_stops_.contains(frame->stop())) logged_[frame->stop()].assign(encoded.data(), encoded.size());
    }
    writer_->append_note(
        failures_note,
        fmt::format("packet {} ({} frames from input position {}): module '{}' failed on {} on rank {} ({}): {}\n",
                    value(report.seq), unit.input.size(), unit.first_input, report.module, report.frame, report.rank,
                    report.host, report.message));
}

void FailureLog::checkpoint(const Checkpoint& checkpoint) { writer_->checkpoint(checkpoint); }

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
