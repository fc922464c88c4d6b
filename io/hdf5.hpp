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

inline Handle file(hid_t id, const std::string& what) { return {check(id, what), H5Fclose}; }
inline Handle dataset(hid_t id, const std::string& what) { return {check(id, what), H5Dclose}; }
inline Handle dataspace(hid_t id, const std::string& what) { return {check(id, what), H5Sclose}; }
inline Handle datatype(hid_t id, const std::string& what) { return {check(id, what), H5Tclose}; }
inline Handle plist(hid_t id, const std::string& what) { return {check(id, what), H5Pclose}; }
inline Handle attribute(hid_t id, const std::string& what) { return {check(id, what), H5Aclose}; }
inline Handle group(hid_t id, const std::string& what) { return {check(id, what), H5Gclose}; }

// Attributes on an object (file root, group or dataset); set_* replaces an existing one.
void set_attribute(hid_t object, const std::string& name, const std::string& value);
void set_attribute(hid_t object, const std::string& name, std::uint64_t value);
std::string string_attribute(hid_t object, const std::string& name, const std::string& fallback = {});
std::uint64_t uint_attribute(hid_t object, const std::string& name, std::uint64_t fallback = 0);
bool has_attribute(hid_t object, const std::string& name);

// The number of elements along the first dimension of a dataset.
std::uint64_t extent(hid_t dataset);

// Reads or writes `count` elements of a 1-D dataset from element `start`, through a hyperslab
// selection; `what` names the operation in the StorageError.
void read_range(hid_t dataset, hid_t memory_type, std::uint64_t start, std::uint64_t count, void* out,
                const std::string& what);
void write_range(hid_t dataset, hid_t memory_type, std::uint64_t start, std::uint64_t count, const void* data,
                 const std::string& what);

}  // namespace mpitray::hdf5
