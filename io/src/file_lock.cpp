#include <mpitray/io/file_lock.hpp>

#include <mpitray/core/error.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <utility>

namespace mpitray::io {

FileLock::FileLock(const std::string& path, const std::string& what) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd_ < 0) throw StorageError("cannot " + what + " '" + path + "': " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        release();
        throw StorageError("cannot " + what + " '" + path + "': " +
                           (error == EWOULDBLOCK ? "it is being written by another run" : std::strerror(error)));
    }
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

void FileLock::release() noexcept {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases its lock
    fd_ = -1;
}

}  // namespace mpitray::io
