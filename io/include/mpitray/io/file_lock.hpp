#pragma once
// An exclusive lock on an output file while this process writes it, so that another run never
// replaces or resumes a file being written. HDF5 locks a file it writes too, but lets go of the
// lock when SWMR writing starts (so readers can open it); this lock is held to the end.
#include <string>

namespace mpitray::io {

class FileLock {
public:
    FileLock() = default;
    // Locks `path` (flock, exclusive, without waiting). Throws StorageError "cannot WHAT 'PATH':
    // it is being written by another run" when another process holds it.
    FileLock(const std::string& path, const std::string& what);
    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock() { release(); }

    void release() noexcept;

private:
    int fd_ = -1;
};

}  // namespace mpitray::io
