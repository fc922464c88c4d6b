#pragma once
// The one place raw HDF5 calls go through: owned handles that close themselves, and checks that
// turn a failed call into a StorageError carrying HDF5's own explanation. HDF5's habit of
// printing its error stack to stderr is switched off; the message goes into the exception.
#include <mpitray/core/error.hpp>

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>

namespace mpitray::hdf5 {

// Turns off HDF5's automatic error printing (once per process).
void silence_errors();

// HDF5 1.10 keeps the identifier of a file whose close failed (a full disk: its last write
// failed) pointing at a half-destroyed file, and its exit handler closes it again and crashes
// (a segmentation fault in H5F__close_cb). So this library takes HDF5's cleanup at exit over:
// it runs H5close() at exit only if no file or dataset failed to close. True once one has.
bool a_close_failed() noexcept;

// What HDF5's error stack says about the last failure, innermost first.
std::string error_stack();

// Throws StorageError("<what>: <HDF5's explanation>") when `result` is negative.
hid_t check(hid_t result, const std::string& what);
void check_status(herr_t result, const std::string& what);

// An owned HDF5 identifier of one kind (file, dataset, dataspace, type, property list, attribute).
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            closer_ = other.closer_;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    hid_t get() const noexcept { return id_; }
    // Lets go of the identifier without closing it (something else closes it).
    hid_t release() noexcept { return std::exchange(id_, H5I_INVALID_HID); }
    explicit operator bool() const noexcept { return id_ >= 0; }
    void reset() noexcept {
        if (id_ >= 0 && closer_) closer_(id_);
        id_ = H5I_INVALID_HID;
    }
    // Closes now and reports a failure (closing a file is when HDF5 flushes it).
    void close(const std::string& what) {
        if (id_ >= 0 && closer_) {
            const herr_t status = closer_(id_);
            id_ = H5I_INVALID_HID;
            check_status(status, what);
        }
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

// Closers of files and datasets, whose close writes, note a failure for a_close_failed().
herr_t close_file_id(hid_t id);
herr_t close_dataset_id(hid_t id);
inline Handle file(hid_t id, const std::string& what) { return {check(id, what), close_file_id}; }
inline Handle dataset(hid_t id, const std::string& what) { return {check(id, what), close_dataset_id}; }
inline Handle dataspace(hid_t id, const std::string& what) { return {check(id, what), H5Sclose}; }
inline Handle datatype(hid_t id, const std::string& what) { return {check(id, what), H5Tclose}; }
inline Handle plist(hid_t id, const std::string& what) { return {check(id, what), H5Pclose}; }
inline Handle attribute(hid_t id, const std::string& what) { return {check(id, what), H5Aclose}; }
inline Handle group(hid_t id, const std::string& what) { return {check(id, what), H5Gclose}; }

// File access properties for a file this library writes: closing it closes every object still
// open in it (H5F_CLOSE_STRONG), so a close that returns success has really written the file,
// and a file given up leaves no dataset open behind it. `swmr`: in the file format of HDF5 1.10,
// which SWMR writing needs (readers need HDF5 1.10 or later), and without HDF5's file lock,
// which SWMR writing drops (the writer holds its own: io/file_lock.hpp).
enum class FileFormat { compatible, swmr };
Handle output_file_access(FileFormat format = FileFormat::compatible);
// Writes everything HDF5 holds for the file; throws StorageError when it cannot (the disk is full).
void flush_file(hid_t file, const std::string& what);
// flush_file, then asks the system to store it (fsync): what it held survives a node's crash.
void sync_file(hid_t file, const std::string& what);
// Lets go of a file that cannot be finished (a write to it failed): empties it first, through
// HDF5's own descriptor, so that the space comes back at once and HDF5's close has room for what
// it still writes, then closes it and everything open in it. Never throws; a close that still
// fails is noted for a_close_failed(). The emptied file is the caller's to remove.
void give_up_file(Handle& file) noexcept;

// Attributes on an object (file root, group or dataset); set_* replaces an existing one.
void set_attribute(hid_t object, const std::string& name, const std::string& value);
void set_attribute(hid_t object, const std::string& name, std::uint64_t value);
std::string string_attribute(hid_t object, const std::string& name, const std::string& fallback = {});
std::uint64_t uint_attribute(hid_t object, const std::string& name, std::uint64_t fallback = 0);
bool has_attribute(hid_t object, const std::string& name);

// The number of elements of a 1-D dataset. Any other rank (a scalar, a 2-D dataset) throws
// StorageError("<what> is 2-D (23 x 2), not 1-D"): a file says what shape its datasets have, and
// a reader that assumed one would read past what it holds.
std::uint64_t extent(hid_t dataset, const std::string& what = "the dataset");

// Whether elements [start, start + count) of a 1-D dataset are stored in the file. HDF5 reads an
// element whose chunk was never written as the fill value, so a file of a few kilobytes can
// declare a terabyte: check this before allocating what such a range claims. Looks at the chunks
// in order and stops at the first missing one, so it costs no more than the chunks the file has.
bool stored(hid_t dataset, std::uint64_t start, std::uint64_t count);

// The element type a dataset is stored with.
inline Handle dataset_type(hid_t dataset) { return datatype(H5Dget_type(dataset), "dataset type"); }
// The memory type that holds `type` unconverted (H5Tget_native_type).
inline Handle native_type(hid_t type) { return datatype(H5Tget_native_type(type, H5T_DIR_ASCEND), "native type"); }
// A short name of a type, for checks and messages: uint8, int64, float64, string(1), opaque(1),
// compound, enum, ... (byte order left out: HDF5 converts it).
std::string type_name(hid_t type);
// The type of a compound's member `name`; an empty handle when it has no such member.
Handle member_type(hid_t compound, const std::string& name);

// Reads or writes `count` elements of a 1-D dataset from element `start`, through a hyperslab
// selection; `what` names the operation in the StorageError.
void read_range(hid_t dataset, hid_t memory_type, std::uint64_t start, std::uint64_t count, void* out,
                const std::string& what);
void write_range(hid_t dataset, hid_t memory_type, std::uint64_t start, std::uint64_t count, const void* data,
                 const std::string& what);

}  // namespace mpitray::hdf5
