#pragma once
// What the dispatcher measured: the usage summary across ranks printed at the end of a run, and
// the same as JSON (`mpitray run --metrics FILE`), with a per-packet timeline a plot can draw.
#include <mpitray/shadowframes/worker_messages.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mpitray {

struct PacketSpan {
    std::uint64_t seq = 0;
    int rank = 0;
    double start = 0;  // seconds since the dispatcher started; start = end - worker's busy time
    double end = 0;    // when the result reached the dispatcher
};

struct DispatchMetrics {
    std::string stage;  // the Dispatch's name when the pipeline has several; empty with one
    int ranks = 1;
    std::string schedule;
    int credits = 0;
    std::size_t window = 0;
    std::size_t window_bytes = 0;
    std::uint64_t packets = 0;
    std::uint64_t metadata = 0;  // metadata frames: broadcast, or inside a packet
    std::uint64_t skipped = 0;
    std::uint64_t batches = 0;           // messages holding several packets
    std::uint64_t batched_packets = 0;   // the packets in them
    std::uint64_t taken_back = 0;        // packets taken back from a busy worker for an idle one
    std::uint64_t checkpoints = 0;       // taken by this run (core/checkpoint.hpp)
    double checkpoint_wall_seconds = 0;  // spent taking them: the outputs' flushes and fsyncs
    std::uint64_t frames_in = 0;
    std::uint64_t frames_out = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::size_t peak_reorder_slots = 0;
    std::size_t peak_reorder_bytes = 0;
    int peak_in_flight = 0;
    double wall_seconds = 0;
    std::string host;                  // rank 0's
    std::uint64_t peak_rss_bytes = 0;  // rank 0's peak resident memory
    std::uint64_t pss_bytes = 0;       // rank 0's proportional memory when it reported (process_memory.hpp)
    std::uint64_t pss_shmem_bytes = 0;
    double cpu_seconds = 0;  // rank 0's whole process (source, dispatch, writers) over wall_seconds
    std::vector<WorkerReport> workers;
    std::vector<PacketSpan> timeline;
};

// The memory of this Dispatch's ranks (rank 0 and its workers) by host: PSS adds up to what the
// ranks of a host use together, a node-shared table counted once.
struct HostMemory {
    std::string host;
    int ranks = 0;
    std::uint64_t pss_bytes = 0;
    std::uint64_t pss_shmem_bytes = 0;
};
std::vector<HostMemory> memory_by_host(const DispatchMetrics& metrics);

// One generation of a read-only table across this Dispatch's workers: which ranks built it and
// how many mapped a copy another rank built (node-shared tables: one build per host).
struct TableGeneration {
    struct Build {
        int rank = 0;
        std::string host;
        double seconds = 0;
    };
    std::string name;
    std::int64_t generation = 0;
    std::uint64_t bytes = 0;
    bool shared = false;
    std::vector<Build> builds;  // by rank
    int mapped = 0;             // workers that mapped another's copy
    double longest_wait = 0;    // the longest any of them waited for it, seconds
};
std::vector<TableGeneration> table_generations(const DispatchMetrics& metrics);

std::string format_dispatch_summary(const DispatchMetrics& metrics);
std::string dispatch_metrics_json(const DispatchMetrics& metrics);
// The --metrics file: one Dispatch's JSON as it is; with several stages {"stages": [...]}, in the
// order they ended (only those that have, while the run goes on).
std::string dispatch_metrics_file(const std::vector<std::string>& by_stage, bool several_stages);

}  // namespace mpitray
