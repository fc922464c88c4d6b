#pragma once
// A worker's last message: its counters and its inner tray's usage, for the summary across ranks.
#include <mpitray/core/usage.hpp>
#include <mpitray/shadowframes/message.hpp>
#include <mpitray/shadowframes/worker_link.hpp>

#include <string>
#include <vector>

namespace mpitray {

struct WorkerReport {
    int rank = 0;
    std::string host;
    WorkerStats stats;
    std::vector<ModuleUsage> usage;  // the inner section's modules, Receiver and Reply left out
};

OutgoingMessage report_message(const WorkerReport& report);
WorkerReport parse_report(const Message& message);

}  // namespace mpitray
