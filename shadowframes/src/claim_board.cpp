#include <mpitray/shadowframes/claim_board.hpp>

#include <mpitray/core/error.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
#include <utility>

namespace mpitray {

namespace {
constexpr std::uint64_t magic = 0x6d70697472617943;  // "mpitrayC"
constexpr std::uint64_t unattached = ~std::uint64_t{0};
constexpr std::uint64_t withdrawn = std::uint64_t{1} << 63;
constexpr std::size_t line = 64;  // one cache line per worker: their writes do not contend
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "the board's words are shared between processes");

std::size_t bytes_for(int workers) { return line * (std::size_t(workers) + 1); }

// Boards a killed rank 0 left behind (its destructor never ran): this user's, whose creating
// process is gone. A board is a few cache lines, but /dev/shm should not fill with them.
void remove_stale(const std::string& directory) {
    const std::string mine = "mpitray." + std::to_string(::getuid()) + ".claims.";
    DIR* dir = ::opendir(directory.c_str());
    if (dir == nullptr) return;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name.rfind(mine, 0) != 0) continue;
        const long pid = std::strtol(name.c_str() + mine.size(), nullptr, 10);
        if (pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH) ::unlink((directory + "/" + name).c_str());
    }
    ::closedir(dir);
}

}  // namespace

struct ClaimBoard::Layout {
    std::uint64_t magic;
    std::uint64_t nonce;
    std::uint64_t workers;
};

ClaimBoard::ClaimBoard(std::string path, Layout* layout, std::size_t bytes, bool owner) noexcept
    : path_(std::move(path)), layout_(layout), bytes_(bytes), owner_(owner) {}

ClaimBoard::ClaimBoard(ClaimBoard&& other) noexcept
    : path_(std::move(other.path_)),
      layout_(std::exchange(other.layout_, nullptr)),
      bytes_(other.bytes_),
      owner_(std::exchange(other.owner_, false)) {}

ClaimBoard& ClaimBoard::operator=(ClaimBoard&& other) noexcept {
    ClaimBoard taken(std::move(other));  // what this held is released when `taken` goes
    std::swap(path_, taken.path_);
    std::swap(layout_, taken.layout_);
    std::swap(bytes_, taken.bytes_);
    std::swap(owner_, taken.owner_);
    return *this;
}

ClaimBoard::~ClaimBoard() {
    if (layout_ != nullptr) ::munmap(layout_, bytes_);
    if (owner_) ::unlink(path_.c_str());
}

ClaimBoard ClaimBoard::create(int workers, const std::string& directory) {
    if (workers < 1) throw Error("a claim board needs at least one worker");
    const std::size_t bytes = bytes_for(workers);
    remove_stale(directory);
    std::random_device random;
    const std::uint64_t nonce = (std::uint64_t(random()) << 32) ^ random() ^ std::uint64_t(::getpid());
    static std::atomic<int> boards{0};  // several Dispatch modules in one process
    const std::string path = directory + "/mpitray." + std::to_string(::getuid()) + ".claims." +
                             std::to_string(::getpid()) + "." + std::to_string(boards++);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw Error("cannot create " + path + ": " + std::strerror(errno));
    // Reserved, not sparse: a full /dev/shm is an error here, not a SIGBUS at the first write.
    void* mapped = MAP_FAILED;
    const int reserved = ::posix_fallocate(fd, 0, off_t(bytes));
    if (reserved == 0) mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    const int error = reserved != 0 ? reserved : errno;
    ::close(fd);
    if (mapped == MAP_FAILED) {
        ::unlink(path.c_str());
        throw Error("cannot map " + path + ": " + std::strerror(error));
    }
    ClaimBoard board(path, static_cast<Layout*>(mapped), bytes, true);
    board.layout_->workers = std::uint64_t(workers);
    for (int w = 0; w < workers; ++w) board.word(w).store(unattached, std::memory_order_relaxed);
    board.layout_->nonce = nonce;
    std::atomic_thread_fence(std::memory_order_release);
    board.layout_->magic = magic;
    return board;
}

std::optional<ClaimBoard> ClaimBoard::attach(const std::string& path, std::uint64_t nonce, int worker) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    void* mapped = MAP_FAILED;
    if (::fstat(fd, &st) == 0 && std::size_t(st.st_size) >= line)
        mapped = ::mmap(nullptr, std::size_t(st.st_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (mapped == MAP_FAILED) return std::nullopt;
    ClaimBoard board(path, static_cast<Layout*>(mapped), std::size_t(st.st_size), false);
    std::atomic_thread_fence(std::memory_order_acquire);
    const Layout& layout = *board.layout_;
    if (layout.magic != magic || layout.nonce != nonce || worker < 0 || std::uint64_t(worker) >= layout.workers ||
        board.bytes_ < bytes_for(int(layout.workers)))
        return std::nullopt;
    std::uint64_t expected = unattached;
    if (!board.word(worker).compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return std::nullopt;
    return board;
}

std::uint64_t ClaimBoard::nonce() const noexcept { return layout_->nonce; }

std::atomic<std::uint64_t>& ClaimBoard::word(int worker) const {
    if (worker < 0 || std::uint64_t(worker) >= layout_->workers)
        throw Error("worker " + std::to_string(worker) + " has no word on the claim board");
    auto* at = reinterpret_cast<char*>(layout_) + line * (std::size_t(worker) + 1);
    return *reinterpret_cast<std::atomic<std::uint64_t>*>(at);
}

bool ClaimBoard::start(int worker, std::uint64_t seq) {
    std::atomic<std::uint64_t>& w = word(worker);
    std::uint64_t current = w.load(std::memory_order_acquire);
    for (;;) {
        if (current == unattached) return true;  // not ours to decide (cannot happen once attached)
        if (current & withdrawn) {
            const std::uint64_t taken = current & ~withdrawn;
            // Skipped: the mark gives way to the packet's number, as if started, so the same
            // packet coming back to this worker later runs, and rank 0 may take the next one.
            if (taken == seq + 1) {
                w.store(seq + 1, std::memory_order_release);  // only this worker writes a marked word
                return false;
            }
            if (taken > seq + 1) return true;  // a later packet is taken back: its mark stays for it
        }
        if (w.compare_exchange_weak(current, seq + 1, std::memory_order_acq_rel, std::memory_order_acquire))
            return true;
    }
}

bool ClaimBoard::attached(int worker) const { return word(worker).load(std::memory_order_acquire) != unattached; }

bool ClaimBoard::waiting(int worker, std::uint64_t seq) const {
    const std::uint64_t current = word(worker).load(std::memory_order_acquire);
    return current != unattached && !(current & withdrawn) && current < seq + 1;
}

bool ClaimBoard::withdraw(int worker, std::uint64_t seq) {
    std::atomic<std::uint64_t>& w = word(worker);
    std::uint64_t current = w.load(std::memory_order_acquire);
    // A failed exchange reloads `current`: the worker started another packet meanwhile, which may
    // have been this one.
    while (current != unattached && !(current & withdrawn) && current < seq + 1)
        if (w.compare_exchange_weak(current, withdrawn | (seq + 1), std::memory_order_acq_rel,
                                    std::memory_order_acquire))
            return true;
    return false;
}

}  // namespace mpitray
