#include <mpitray/core/process_memory.hpp>

#include <sys/resource.h>
#include <fstream>
#include <string>

namespace mpitray {
namespace {

// The value of `key` (a line "Key:   123 kB") in a /proc file, in bytes.
std::uint64_t kib_line(const std::string& line, const char* key) {
    return std::stoull(line.substr(std::string(key).size())) * 1024;
}

}  // namespace

ProcessMemory process_memory() {
    ProcessMemory memory;
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) == 0) memory.peak_rss_bytes = std::uint64_t(usage.ru_maxrss) * 1024;
    std::ifstream rollup("/proc/self/smaps_rollup");
    for (std::string line; std::getline(rollup, line);) {
        if (line.rfind("Pss:", 0) == 0) memory.pss_bytes = kib_line(line, "Pss:");
        else if (line.rfind("Pss_Shmem:", 0) == 0) memory.pss_shmem_bytes = kib_line(line, "Pss_Shmem:");
    }
    return memory;
}

std::uint64_t available_memory_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);)
        if (line.rfind("MemAvailable:", 0) == 0) return kib_line(line, "MemAvailable:");
    return 0;
}

}  // namespace mpitray
