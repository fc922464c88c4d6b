#pragma once
// What the Receiver (or the in-process feeder) and the Reply module of one worker share: where
// results go, the frames collected since the last shadow frame, and the worker's counters.
#include <mpitray/core/clock.hpp>
#include <mpitray/core/frame.hpp>
#include <mpitray/shadowframes/result_sink.hpp>

#include <cstdint>
#include <utility>
#include <vector>

namespace mpitray {

struct WorkerStats {
    std::uint64_t packets = 0;
    std::uint64_t metadata = 0;
    std::uint64_t failures = 0;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::int64_t busy_ns = 0;  // running the inner section
    std::int64_t idle_ns = 0;  // waiting for the next message
};

struct WorkerLink {
    explicit WorkerLink(ResultSink& result_sink) : sink(result_sink) {}
    ResultSink& sink;
    // While a batch of packets runs (batch.hpp), its results and failure reports wait here, to
    // go back together as one batch.
    std::vector<std::pair<Tag, OutgoingMessage>>* held = nullptr;
    void answer(Tag tag, OutgoingMessage message) {
        if (held != nullptr) held->emplace_back(tag, std::move(message));
        else sink.send(tag, std::move(message));
    }
    std::vector<FramePtr> collected;  // reached the Reply since the last shadow frame
    std::vector<const char*> inputs;  // where the current input frames' encodings begin
    std::int64_t input_started_ns = 0;
    bool stopped = false;  // told to stop: the run is abandoned
    WorkerStats stats;
};

}  // namespace mpitray
