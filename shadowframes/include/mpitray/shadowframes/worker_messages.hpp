#pragma once
// What a worker tells the dispatcher besides results (docs/protocol.md, "Messages"), each with
// its tag and codec, in the one place both ends read. Each travels as a frame whose keys name
// its fields, so a field is found by name, never by its place in a list.
//
//   Tag::packet, Tag::metadata, Tag::result   OutgoingMessage / parse_message (message.hpp)
//   Tag::failure                              failure_message / parse_failure
//   Tag::finished                             finished_message / parse_message's frames
//   Tag::stats                                report_message / parse_report
//   Tag::end_of_stream, Tag::stop             control_message (a header, no frames)
//   Tag::claims                               claims_message / parse_claims
#include <mpitray/core/process_memory.hpp>
#include <mpitray/core/tables.hpp>
#include <mpitray/core/usage.hpp>
#include <mpitray/shadowframes/message.hpp>
#include <mpitray/shadowframes/worker_link.hpp>

#include <string>
#include <vector>

namespace mpitray {

// A module threw on one unit of input; sent in place of its result.
struct FailureReport {
    Seq seq{};
    int rank = 0;
    std::string host;
    std::string module;  // empty when not a module's error
    std::string frame;   // the frame being processed, described
    std::string message;
    bool on_metadata = false;  // the unit was a metadata frame (set by the dispatcher from the flags)
};

// A worker's last message: its counters and its inner section's usage, for the summary across ranks.
struct WorkerReport {
    int rank = 0;
    std::string host;
    WorkerStats stats;
    std::vector<ModuleUsage> usage;   // the inner section's modules, Receiver and Reply left out
    ProcessMemory memory;             // when it ended, its tables still held
    std::vector<TableRecord> tables;  // the read-only tables its modules asked for (tables.hpp)
};

OutgoingMessage failure_message(const FailureReport& report, std::uint32_t flags);
FailureReport parse_failure(const Message& message);

OutgoingMessage report_message(const WorkerReport& report);
WorkerReport parse_report(const Message& message);

// The frames the inner section pushed in its Finish (none when the worker was stopped).
OutgoingMessage finished_message(const std::vector<FramePtr>& frames);
// end_of_stream and stop carry nothing but their tag.
OutgoingMessage control_message();

// Where a worker on rank 0's host finds the claim board, and which word on it is its own.
struct ClaimsNotice {
    std::string path;
    std::uint64_t nonce = 0;
    int worker = 0;
};
OutgoingMessage claims_message(const ClaimsNotice& notice);
ClaimsNotice parse_claims(const Message& message);

// A worker's last words, once its inner tray has ended or failed: after a stop (its Reply's
// finish() never ran) an empty `finished`, then, always, its report, with its memory measured
// then and the tables `tables` (its tray's service, if any) gave out. The same for an MPI worker
// and the in-process one.
void end_worker(WorkerLink& link, int rank, const std::string& host, std::vector<ModuleUsage> usage,
                const TableService* tables);

}  // namespace mpitray
