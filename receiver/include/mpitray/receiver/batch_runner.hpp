#pragma once
// Runs the packets of a batch (docs/protocol.md, "Batches") one by one, each as if it came alone,
// and sends their answers (results and failure reports) back together as one batch message.
// Once the batch has run longer than a batch is meant to, what is held goes back after each
// packet: unexpectedly slow packets then neither keep finished results back nor keep the worker
// silent for the dispatcher's watchdog.
#include <mpitray/shadowframes/batch.hpp>
#include <mpitray/shadowframes/worker_link.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace mpitray {

// A batch holds about 0.2 ms of work (the Dispatch sizes it so): past this, answers go as they come.
constexpr std::int64_t batch_answer_within_ns = 1'000'000;

// `feed` runs one entry through the inner tray; its answers reach `link` (WorkerLink::answer).
// However the batch ends, `link` holds nothing afterwards; answers held when `feed` throws are
// dropped with the run.
void run_batch(WorkerLink& link, const std::vector<BatchEntry>& entries,
               const std::function<void(const ByteView&)>& feed,
               std::int64_t answer_within_ns = batch_answer_within_ns);

}  // namespace mpitray
