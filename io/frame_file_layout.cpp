#include <mpitray/io/frame_file_layout.hpp>

#include <cstddef>

namespace mpitray::io {

hdf5::Handle index_row_type() {
    hdf5::Handle type = hdf5::datatype(H5Tcreate(H5T_COMPOUND, sizeof(IndexRow)), "index row type");
    hdf5::Handle stop = hdf5::datatype(H5Tcopy(H5T_C_S1), "stop type");
    hdf5::check_status(H5Tset_size(stop.get(), 1), "stop type");
    const hid_t t = type.get();
    hdf5::check_status(H5Tinsert(t, "sequence", offsetof(IndexRow, sequence), H5T_NATIVE_UINT64), "index row type");
    hdf5::check_status(H5Tinsert(t, "stop", offsetof(IndexRow, stop), stop.get()), "index row type");
    hdf5::check_status(H5Tinsert(t, "offset", offsetof(IndexRow, offset), H5T_NATIVE_UINT64), "index row type");
    hdf5::check_status(H5Tinsert(t, "length", offsetof(IndexRow, length), H5T_NATIVE_UINT64), "index row type");
    hdf5::check_status(H5Tinsert(t, "checksum", offsetof(IndexRow, checksum), H5T_NATIVE_UINT32), "index row type");
    return type;
}

}  // namespace mpitray::io
