#include "allocator.hpp"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mpitray::cli {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
    if (const char* tunables = std::getenv("GLIBC_TUNABLES"); tunables && std::strstr(tunables, "glibc.malloc."))
        return;
    for (const char* legacy : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"})
        if (std::getenv(legacy)) return;
    // By default glibc maps blocks above 128 KiB (a threshold that creeps up with use) straight
    // from the kernel and unmaps them on free, and returns the top of the heap past 128 KiB. A
    // 1 MiB frame then costs 256 fresh page faults each time it is received, encoded or copied;
    // in a sandboxed kernel that made a 1 MiB exchange 2.6x slower (docs/benchmarks.md). Blocks
    // up to 32 MiB (glibc's cap) now come from the heap, and up to 64 MiB of free heap is kept
    // (enough for a few large frames, small against what a rank may use).
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

}  // namespace mpitray::cli
