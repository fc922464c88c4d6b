#include <mpitray/core/process_memory.hpp>

#include <sys/resource.h>
#include <fstream>
#include <string>

namespace mpitray {

ProcessMemory process_memory() {
    ProcessMemory memory;
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) == 0) memory.peak_rss_bytes = std::uint64_t(usage.ru_maxrss) * 1024;
    std::ifstream rollup("/proc/self/smaps_rollup");
    for (std::string line; std::getline(rollup, line);) {
        auto kib = [&](const char* key) { return std::stoull(line.substr(std::string(key).size())) * 1024; };
        if (line.rfind("Pss:", 0) == 0) memory.pss_bytes = kib("Pss:");
        else if (line.rfind("Pss_Shmem:", 0) == 0) memory.pss_shmem_bytes = kib("Pss_Shmem:");
    }
    return memory;
}

}  // namespace mpitray
