#pragma once

namespace mpitray::cli {

// Asks glibc's malloc to keep freed memory for reuse instead of returning it to the kernel, so a
// run that moves large frames does not page-fault every buffer in afresh. Does nothing when the
// user tuned malloc through GLIBC_TUNABLES, or on another C library.
void keep_freed_memory_for_reuse();

}  // namespace mpitray::cli
