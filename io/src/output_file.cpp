#include <mpitray/io/output_file.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

#ifndef MPITRAY_VERSION
#define MPITRAY_VERSION "unknown"
#endif

namespace mpitray::io {
namespace {

std::string utc_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

// Removes a PATH.partial an earlier run left behind, unless a running process still writes it:
// HDF5 holds a lock on a file it writes, so a partial file that cannot be locked is in use.
void remove_stale_partial(const std::string& partial) {
    const int fd = ::open(partial.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return;
        throw StorageError("cannot open the older '" + partial + "': " + std::strerror(errno));
    }
    struct stat st {};
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    const bool unused = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    const int lock_errno = errno;
    std::string problem;
    if (!regular) problem = "is not a regular file";
    else if (!unused)
        problem = lock_errno == EWOULDBLOCK ? "is being written by another run" : std::strerror(lock_errno);
    else if (::unlink(partial.c_str()) != 0) problem = std::strerror(errno);
    ::close(fd);
    if (!problem.empty()) throw StorageError("cannot replace the older '" + partial + "': " + problem);
}

std::mutex given_up_mutex;
std::vector<std::string> given_up;

// What a failed write means to the person who reads the error. For a full disk, what HDF5 says
// after the system's reason is only how the write got there.
std::string describe_failure(const std::string& reason) {
    for (int code : {ENOSPC, EDQUOT}) {
        const std::string system = std::strerror(code);
        if (const auto at = reason.find(system); at != std::string::npos)
            return std::string(code == ENOSPC ? "the disk is full" : "the disk quota is exceeded") + " (" +
                   reason.substr(0, at + system.size()) + ")";
    }
    return reason;
}

}  // namespace

std::vector<std::string> outputs_given_up() {
    std::lock_guard lock(given_up_mutex);
    return given_up;
}

OutputFile::OutputFile(std::string path, const Provenance& provenance, const std::string& format,
                       std::uint64_t format_version)
    : path_(std::move(path)) {
    hdf5::silence_errors();
    // Before anything is touched: replacing a device, a FIFO or a directory, or writing through
    // a symbolic link, would destroy something that is not an older output.
    if (const std::string problem = output_path_problem(path_); !problem.empty())
        throw StorageError("cannot write output file '" + path_ + "': " + problem);
    const std::string partial = partial_path();
    remove_stale_partial(partial);
    // Created exclusively: a link or file that appeared under the name since is refused, not followed.
    const hdf5::Handle access = hdf5::output_file_access(hdf5::FileFormat::swmr);
    file_ = hdf5::file(H5Fcreate(partial.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, access.get()),
                       "cannot create output file '" + partial + "'");
    try {
        lock_ = FileLock(partial, "write");
        const hid_t root = file_.get();
        hdf5::set_attribute(root, "format", format);
        hdf5::set_attribute(root, "format_version", format_version);
        hdf5::set_attribute(root, "mpitray_version", std::string(MPITRAY_VERSION));
        hdf5::set_attribute(root, "pipeline", provenance.pipeline_text);
        hdf5::set_attribute(root, "pipeline_file", provenance.pipeline_file);
        if (provenance.seed) hdf5::set_attribute(root, "seed", *provenance.seed);
        hdf5::set_attribute(root, "overrides", provenance.overrides);
        hdf5::set_attribute(root, "created", utc_now());
        hdf5::set_attribute(root, "status", std::string("writing"));
        // unlink, not remove: a directory that appeared under PATH since the check stays.
        if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
            throw StorageError("cannot remove the older '" + path_ + "': " + std::strerror(errno));
    } catch (...) {
        discard();
        throw;
    }
}

OutputFile::OutputFile(std::string path, Continue) : path_(std::move(path)) {
    hdf5::silence_errors();
    if (const std::string problem = output_path_problem(path_); !problem.empty())
        throw StorageError("cannot write output file '" + path_ + "': " + problem);
    lock_ = FileLock(partial_path(), "resume writing");
    continued_ = true;
    open_partial(H5F_ACC_RDWR, "cannot open '" + partial_path() + "' to resume writing it");
}

void OutputFile::open_partial(unsigned flags, const std::string& what) {
    const hdf5::Handle access = hdf5::output_file_access(hdf5::FileFormat::swmr);
    file_ = hdf5::file(H5Fopen(partial_path().c_str(), flags, access.get()), what);
}

void OutputFile::start_swmr() {
    hdf5::flush_file(file_.get(), "writing '" + partial_path() + "'");
    hdf5::check_status(H5Fstart_swmr_write(file_.get()), "starting SWMR writing of '" + partial_path() + "'");
    swmr_ = true;
}

void OutputFile::leave_swmr() {
    if (!swmr_) return;
    const std::string what = "closing '" + partial_path() + "'";
    hdf5::flush_file(file_.get(), what);  // a failure here can still be given up cleanly
    file_.close(what);
    swmr_ = false;
    open_partial(H5F_ACC_RDWR, "cannot open '" + partial_path() + "' again to finish it");
}

namespace {

void record_ending(hid_t root, const RunState& state) {
    hdf5::set_attribute(root, "status", std::string(run_ending_name(state.ending)));
    hdf5::set_attribute(root, "status_reason", state.reason);
    hdf5::set_attribute(root, "input_frames", state.input_frames);
    hdf5::set_attribute(root, "skipped_packets", state.skipped_packets);
    hdf5::set_attribute(root, "failure_log", state.failure_log);
    hdf5::set_attribute(root, "closed", utc_now());
}

}  // namespace

void mark_ended(const std::string& path, const RunState& state) {
    hdf5::silence_errors();
    hdf5::Handle file = hdf5::file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "cannot reopen '" + path + "'");
    record_ending(file.get(), state);
    file.close("closing '" + path + "'");
}

void OutputFile::close(const RunState& state) {
    if (!file_) return;
    const std::string partial = partial_path();
    const std::string what = "closing '" + partial + "'";
    try {
        leave_swmr();
        record_ending(file_.get(), state);
        // Written here, while the file can still be given up cleanly, rather than in the close:
        // HDF5 1.10 cannot recover from a close that fails.
        hdf5::flush_file(file_.get(), what);
    } catch (const StorageError& e) {
        give_up(e.what());
    }
    try {
        file_.close(what);
    } catch (const StorageError& e) {
        give_up(e.what());  // the file is closed, as far as HDF5 could: remove what is left
    }
    const bool renamed = std::rename(partial.c_str(), path_.c_str()) == 0;
    const int rename_errno = errno;
    lock_.release();
    if (!renamed)
        throw StorageError("cannot rename '" + partial + "' to '" + path_ + "': " + std::strerror(rename_errno));
}

void OutputFile::give_up(const std::string& reason) {
    const std::string partial = partial_path();
    hdf5::give_up_file(file_);
    const bool removed = ::unlink(partial.c_str()) == 0 || errno == ENOENT;
    const std::string why_not = removed ? "" : std::strerror(errno);
    lock_.release();
    {
        std::lock_guard lock(given_up_mutex);
        given_up.push_back(path_);
    }
    throw StorageError("'" + path_ + "' could not be closed: " + describe_failure(reason) + "; its incomplete '" +
                       partial + (removed ? "' was removed" : "' is unreadable and could not be removed: " + why_not));
}

void OutputFile::discard() noexcept {
    if (!file_) return;
    if (continued_) {  // a resumed run's file holds an earlier run's work: closed as it is, kept
        file_.reset();
        lock_.release();
        return;
    }
    hdf5::give_up_file(file_);
    ::unlink(partial_path().c_str());
    lock_.release();
}

hdf5::Handle create_growing_dataset(hid_t file, const std::string& path, hid_t type, std::uint64_t chunk_rows,
                                    int compression) {
    const hsize_t initial[1] = {0};
    const hsize_t unlimited[1] = {H5S_UNLIMITED};
    hdf5::Handle space = hdf5::dataspace(H5Screate_simple(1, initial, unlimited), "dataspace");
    hdf5::Handle create = hdf5::plist(H5Pcreate(H5P_DATASET_CREATE), "dataset properties");
    const hsize_t chunks[1] = {chunk_rows};
    hdf5::check_status(H5Pset_chunk(create.get(), 1, chunks), "chunking");
    if (compression > 0)
        hdf5::check_status(H5Pset_deflate(create.get(), static_cast<unsigned>(compression)), "deflate");
    hdf5::Handle links = hdf5::plist(H5Pcreate(H5P_LINK_CREATE), "link properties");
    hdf5::check_status(H5Pset_create_intermediate_group(links.get(), 1), "link properties");
    return hdf5::dataset(H5Dcreate2(file, path.c_str(), type, space.get(), links.get(), create.get(), H5P_DEFAULT),
                         "creating " + path);
}

void append_rows(hid_t dataset, hid_t memory_type, std::uint64_t at, std::uint64_t count, const void* data,
                 const std::string& what) {
    if (count == 0) return;
    const hsize_t new_size[1] = {at + count};
    hdf5::check_status(H5Dset_extent(dataset, new_size), what);
    hdf5::write_range(dataset, memory_type, at, count, data, what);
}

}  // namespace mpitray::io
