#pragma once
// This process's memory, as Linux counts it: the resident peak, and the proportional set size
// (PSS), which divides every page shared with other processes (a node-shared table, shared
// libraries) among them, so that the PSS of a node's processes adds up to the memory they use
// together. Read from /proc/self/smaps_rollup (Linux 4.14; the Pss_Shmem split since 5.3).
#include <cstdint>

namespace mpitray {

struct ProcessMemory {
    std::uint64_t peak_rss_bytes = 0;   // the most resident memory at any time (getrusage)
    std::uint64_t pss_bytes = 0;        // now; 0 where /proc does not say
    std::uint64_t pss_shmem_bytes = 0;  // the part of pss_bytes in shared memory (node-shared tables)
};

ProcessMemory process_memory();

// The memory the node can still give without swapping (MemAvailable in /proc/meminfo), in
// bytes; 0 where /proc does not say.
std::uint64_t available_memory_bytes();

}  // namespace mpitray
