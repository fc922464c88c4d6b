#include "mpi_channel.hpp"

#include <mpitray/core/error.hpp>
#include <mpitray/shadowframes/worker_messages.hpp>

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <cstdlib>

namespace mpitray {
namespace {

std::string executable(const std::string& proc_path) {
    char target[PATH_MAX];
    const ssize_t n = ::readlink(proc_path.c_str(), target, sizeof target - 1);
    return n > 0 ? std::string(target, std::size_t(n)) : std::string();
}

// A pidfd for `pid`, if it is this program on this host and this kernel has pidfd_open (5.3).
// A process id seen on another host, or in another PID namespace, may name an unrelated
// process: the executable must match ours.
int open_pidfd(int pid) {
#ifdef SYS_pidfd_open
    if (pid <= 0 || pid == int(::getpid())) return -1;
    const std::string self = executable("/proc/self/exe");
    if (self.empty() || executable("/proc/" + std::to_string(pid) + "/exe") != self) return -1;
    const long fd = ::syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -1 : int(fd);
#else
    (void)pid;
    return -1;
#endif
}

}  // namespace

MpiChannel::MpiChannel(mpi::Communicator& comm, std::vector<int> world_ranks, const std::vector<std::string>& hosts,
                       const std::vector<int>& pids)
    : comm_(comm), world_ranks_(std::move(world_ranks)) {
    const int n = workers();
    pidfds_.assign(std::size_t(n), -1);
    pids_.assign(std::size_t(n), 0);
    const char* off = std::getenv("MPITRAY_WATCH_WORKERS");  // "0": no liveness watch (for tests)
    const bool watch = off == nullptr || std::string(off) != "0";
    std::vector<int> on_this_host;
    for (int w = 0; w < n; ++w) {
        const std::size_t rank = std::size_t(rank_of(w));
        if (rank < pids.size()) pids_[std::size_t(w)] = pids[rank];
        const bool here = rank < hosts.size() && !hosts.empty() && hosts[rank] == hosts[0];
        if (here) on_this_host.push_back(w);
        if (watch && here && rank < pids.size()) pidfds_[std::size_t(w)] = open_pidfd(pids[rank]);
    }
    // A packet is only ever taken back for another worker to run it.
    if (n < 2 || on_this_host.empty()) return;
    try {
        claims_ = ClaimBoard::create(n);
    } catch (const Error&) {
        return;  // no shared memory here: nothing is taken back, which is only slower at the end
    }
    for (int w : on_this_host) send(w, Tag::claims, claims_message({claims_->path(), claims_->nonce(), w}));
}

MpiChannel::~MpiChannel() {
    for (int fd : pidfds_)
        if (fd >= 0) ::close(fd);
}

bool MpiChannel::worker_died(int worker) {
    const int fd = pidfds_[std::size_t(worker)];
    if (fd < 0) return false;
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP)) != 0;
}

int MpiChannel::worker_pid(int worker) const { return pids_[std::size_t(worker)]; }

int MpiChannel::watched() const {
    int count = 0;
    for (int fd : pidfds_) count += fd >= 0;
    return count;
}

}  // namespace mpitray
