#include <mpitray/core/clock.hpp>
#include <mpitray/core/error.hpp>
#include <mpitray/core/node_shared_tables.hpp>
#include <mpitray/core/process_memory.hpp>

#include <fmt/format.h>

#include <linux/mempolicy.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>
#include <thread>

namespace mpitray {
namespace {

// The first page of a table's file; the values start on the next page.
struct Header {
    char magic[8];
    std::atomic<std::uint32_t> state;  // State; the file starts zeroed: building
    std::atomic<std::int32_t> users;   // processes that map it
    std::int64_t builder_pid;
    std::uint64_t values;
    std::uint64_t key_check;  // a second hash of the request, against a name collision
    char failure[1024];       // why the build failed
};
enum State : std::uint32_t { building = 0, ready = 1, failed = 2 };
static_assert(std::atomic<std::uint32_t>::is_always_lock_free && std::atomic<std::int32_t>::is_always_lock_free,
              "the header's atomics are shared between processes, which needs them lock-free");
constexpr char magic[8] = {'M', 'T', 'T', 'A', 'B', 'L', 'E', '1'};

std::size_t data_offset() {
    static const std::size_t page = std::max<std::size_t>(sizeof(Header), std::size_t(sysconf(_SC_PAGESIZE)));
    return page;
}

std::uint64_t fnv1a(const std::string& text, std::uint64_t basis) {
    std::uint64_t h = basis;
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
    return h;
}
constexpr std::uint64_t name_basis = 0xcbf29ce484222325ull;
constexpr std::uint64_t check_basis = 0x84222325cbf29ce4ull;

std::string errno_text(int error) { return std::strerror(error); }

bool process_gone(std::int64_t pid) { return pid > 0 && kill(pid_t(pid), 0) != 0 && errno == ESRCH; }

double mib(std::uint64_t bytes) { return double(bytes) / double(1 << 20); }

struct FileId {
    dev_t device = 0;
    ino_t inode = 0;
};

FileId id_of(int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return {};
    return {st.st_dev, st.st_ino};
}

// Whether `path` still names the file we mapped (not a later table of the same name).
bool still_names(const std::string& path, FileId id) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && st.st_dev == id.device && st.st_ino == id.inode;
}

class SharedTable : public Table {
public:
    SharedTable(const TableRequest& request, std::string path, FileId id, Header* header, const double* values,
                void* whole, std::size_t whole_bytes, bool counted)
        : Table(request, std::span<const double>(values, request.values())),
          path_(std::move(path)),
          id_(id),
          header_(header),
          whole_(whole),
          whole_bytes_(whole_bytes),
          counted_(counted) {}
    ~SharedTable() override {
        // The last user removes the file; one that came in after the count reached zero (it
        // opened the file just before) leaves that to whoever brought it there.
        if (counted_ && header_->users.fetch_sub(1) == 1 && still_names(path_, id_)) unlink(path_.c_str());
        munmap(whole_, whole_bytes_);
    }
    bool shared() const noexcept override { return true; }

private:
    std::string path_;
    FileId id_;
    Header* header_;
    void* whole_;
    std::size_t whole_bytes_;
    bool counted_;
};

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

void check_token(const std::string& token) {
    if (token.empty() || token.size() > 64 ||
        token.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789-_") != std::string::npos)
        throw Error("a run token is 1 to 64 letters, digits, '-' or '_', not '" + token + "'");
}

// Spreads the pages of [address, address + bytes) over the node's NUMA domains, round robin, as
// they are first touched. Best effort: with one domain, or where the kernel refuses, the pages
// go where the filling process runs, which is correct, only slower to read from far sockets.
void interleave(void* address, std::size_t bytes) {
    std::ifstream online("/sys/devices/system/node/online");
    std::string list;
    std::getline(online, list);
    const std::vector<int> nodes = NodeSharedTables::parse_node_list(list);
    if (nodes.size() < 2) return;
    constexpr int bits = 8 * sizeof(unsigned long);
    std::vector<unsigned long> mask(std::size_t(nodes.back() / bits + 1), 0);
    for (int node : nodes) mask[std::size_t(node / bits)] |= 1ul << (node % bits);
    syscall(SYS_mbind, address, bytes, MPOL_INTERLEAVE, mask.data(), mask.size() * bits + 1, 0);
}

}  // namespace

std::vector<int> NodeSharedTables::parse_node_list(const std::string& list) {
    std::vector<int> nodes;
    std::size_t at = 0;
    while (at < list.size()) {
        const std::size_t end = std::min(list.find(',', at), list.size());
        const std::string range = list.substr(at, end - at);
        const std::size_t dash = range.find('-');
        try {
            std::size_t used = 0;
            const int first = std::stoi(range.substr(0, dash), &used);
            const int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
            if (first < 0 || last < first || last > 4095 || (dash == std::string::npos && used != range.size()))
                return {};
            for (int node = first; node <= last; ++node) nodes.push_back(node);
        } catch (const std::exception&) {
            return {};
        }
        at = end + 1;
    }
    return nodes;
}

NodeSharedTables::NodeSharedTables(std::string run_token, std::string directory)
    : run_token_(std::move(run_token)), directory_(std::move(directory)) {
    check_token(run_token_);
    struct stat st {};
    if (stat(directory_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error("shared tables need a directory in a memory file system, and '" + directory_ +
                    "' is not a directory (run --tables private keeps every table in its process)");
    remove_stale();
}

std::string NodeSharedTables::path_of(const TableRequest& request) const {
    return fmt::format("{}/mpitray.{}.{}.{:016x}", directory_, getuid(), run_token_,
                       fnv1a(table_key(request), name_basis));
}

int NodeSharedTables::remove_stale() const {
    const std::string mine = fmt::format("mpitray.{}.", getuid());
    const std::string this_run = mine + run_token_ + ".";
    DIR* dir = opendir(directory_.c_str());
    if (dir == nullptr) return 0;
    int removed = 0;
    while (const dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (name.rfind(mine, 0) != 0 || name.rfind(this_run, 0) == 0) continue;
        const std::string path = directory_ + "/" + name;
        const Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
        Header header{};
        if (fd.get() < 0 || pread(fd.get(), &header, sizeof header, 0) != ssize_t(sizeof header)) continue;
        if (std::memcmp(header.magic, magic, sizeof magic) != 0) continue;
        if (process_gone(header.builder_pid) && unlink(path.c_str()) == 0) ++removed;
    }
    closedir(dir);
    return removed;
}

TableService::Obtained NodeSharedTables::obtain(const TableRequest& request, const TableFill& fill) {
    const std::string path = path_of(request);
    if (auto mapped = mapped_.find(path)) return {mapped, false};

    const std::size_t bytes = data_offset() + request.bytes();
    const std::uint64_t key_check = fnv1a(table_key(request), check_basis);
    const std::string what = fmt::format("table '{}' ({:.1f} MiB, in {})", request.name, mib(request.bytes()), path);
    const std::int64_t start = monotonic_ns();
    auto waited_too_long = [&] { return double(monotonic_ns() - start) * 1e-9 > build_timeout_s_; };
    auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(2)); };

    while (true) {
        // The first process to create the file builds the table.
        const Fd created(open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (created.get() >= 0) {
            const FileId id = id_of(created.get());
            auto give_up = [&](const std::string& why) -> Error {
                if (still_names(path, id)) unlink(path.c_str());
                return Error("cannot build " + what + ": " + why);
            };
            struct statvfs fs {};
            if (fstatvfs(created.get(), &fs) == 0 && std::uint64_t(fs.f_bavail) * fs.f_frsize < bytes)
                throw give_up(
                    fmt::format("{} has {:.1f} MiB free. Give the node's memory file system more room "
                                "(a container: --shm-size), or run with --tables private",
                                directory_, mib(std::uint64_t(fs.f_bavail) * fs.f_frsize)));
            // A memory file system's pages are the node's memory: one as large as the memory (a
            // container's, or a node's /dev/shm sized to all of it) would let a table that fits
            // it take the memory the ranks need, and the kernel would end them (OOM) mid-build.
            const std::uint64_t available = available_memory_bytes();
            struct statfs kind {};
            if (fstatfs(created.get(), &kind) == 0 && kind.f_type == TMPFS_MAGIC && available > 0 && available < bytes)
                throw give_up(
                    fmt::format("the node has {:.1f} MiB of memory available, and a table in {} takes "
                                "that memory. Use fewer or smaller tables, or more memory per node",
                                mib(available), directory_));
            // Reserved now, so a full file system is this error rather than a SIGBUS while filling.
            if (ftruncate(created.get(), off_t(bytes)) != 0) throw give_up(errno_text(errno));
            if (const int error = posix_fallocate(created.get(), 0, off_t(bytes)); error != 0)
                throw give_up(error == ENOSPC ? fmt::format("{} is full. Give it more room (a container: "
                                                            "--shm-size), or run with --tables private",
                                                            directory_)
                                              : errno_text(error));
            void* whole = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, created.get(), 0);
            if (whole == MAP_FAILED) throw give_up(errno_text(errno));
            auto* header = new (whole) Header{};
            std::memcpy(header->magic, magic, sizeof magic);
            header->builder_pid = getpid();
            header->values = request.values();
            header->key_check = key_check;
            header->users.store(1);
            auto* values = reinterpret_cast<double*>(static_cast<char*>(whole) + data_offset());
            interleave(values, request.bytes());
            try {
                fill(std::span<double>(values, request.values()));
            } catch (const std::exception& e) {
                std::snprintf(header->failure, sizeof header->failure, "%s", e.what());
                header->state.store(failed, std::memory_order_release);
                munmap(whole, bytes);
                throw give_up(e.what());
            }
            mprotect(values, request.bytes(), PROT_READ);
            header->state.store(ready, std::memory_order_release);
            auto table = std::make_shared<const SharedTable>(request, path, id, header, values, whole, bytes, true);
            mapped_.remember(path, table);
            return {table, true};
        }
        if (errno != EEXIST) throw Error("cannot create " + what + ": " + errno_text(errno));

        // Another process builds it, or has: wait until it is ready, then map it.
        const Fd opened(open(path.c_str(), O_RDWR | O_CLOEXEC));
        if (opened.get() < 0) {
            if (errno == ENOENT) continue;  // its last user just removed it: ask again
            throw Error("cannot open " + what + ": " + errno_text(errno));
        }
        const FileId id = id_of(opened.get());
        struct stat st {};
        while (fstat(opened.get(), &st) == 0 && std::size_t(st.st_size) < data_offset()) {
            if (!still_names(path, id)) break;  // its builder gave up before sizing it
            if (waited_too_long()) throw Error("waited too long for another process to create " + what);
            pause();
        }
        if (std::size_t(st.st_size) < data_offset()) continue;
        if (std::size_t(st.st_size) != bytes)
            throw Error(fmt::format("{} has {} bytes where this table needs {}: another table by that name", what,
                                    st.st_size, bytes));
        void* whole = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, opened.get(), 0);
        if (whole == MAP_FAILED) throw Error("cannot map " + what + ": " + errno_text(errno));
        auto* header = static_cast<Header*>(whole);
        State state;
        while ((state = State(header->state.load(std::memory_order_acquire))) == building) {
            const std::int64_t builder = header->builder_pid;
            if (process_gone(builder) || waited_too_long()) {
                munmap(whole, bytes);
                throw Error(
                    process_gone(builder)
                        ? fmt::format("the process that was building {} (pid {}) ended before it finished", what,
                                      builder)
                        : fmt::format("waited {:.0f} s for process {} to build {}", build_timeout_s_, builder, what));
            }
            pause();
        }
        if (state == failed) {
            const std::string why(header->failure, strnlen(header->failure, sizeof header->failure));
            const std::int64_t builder = header->builder_pid;
            munmap(whole, bytes);
            throw Error(fmt::format("{} could not be built by process {}: {}", what, builder, why));
        }
        if (std::memcmp(header->magic, magic, sizeof magic) != 0 || header->values != request.values() ||
            header->key_check != key_check) {
            munmap(whole, bytes);
            throw Error(what + " holds another table");
        }
        const bool counted = header->users.fetch_add(1) > 0;
        auto* values = reinterpret_cast<const double*>(static_cast<char*>(whole) + data_offset());
        mprotect(static_cast<char*>(whole) + data_offset(), request.bytes(), PROT_READ);
        auto table = std::make_shared<const SharedTable>(request, path, id, header, values, whole, bytes, counted);
        mapped_.remember(path, table);
        return {table, false};
    }
}

}  // namespace mpitray
