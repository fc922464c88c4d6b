#pragma once

namespace mpitray::cli {

// Asks glibc's malloc to keep freed memory for reuse instead of returning it to the kernel, so a
// run that moves large frames does not page-fault every buffer in afresh. Does nothing when the
// user tuned malloc (GLIBC_TUNABLES or the MALLOC_*_ variables), or on another C library.
void keep_freed_memory_for_reuse();

}  // namespace mpitray::cli
