#include <mpitray/io/frame_file_layout.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <utility>

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

std::string data_type_problem(hid_t stored) {
    const std::string name = hdf5::type_name(stored);
    if (name == "uint8" || name == "int8" || name == "opaque(1)") return {};
    return " holds " + name + ", not bytes (uint8)";
}

std::string index_type_problem(hid_t stored) {
    if (const std::string name = hdf5::type_name(stored); name != "compound")
        return " holds " + name + ", not index rows (a compound)";
    const std::pair<const char*, const char*> members[] = {{"sequence", "uint64"},
                                                           {"stop", "string(1)"},
                                                           {"offset", "uint64"},
                                                           {"length", "uint64"},
                                                           {"checksum", "uint32"}};
    for (const auto& [member, expected] : members) {
        const hdf5::Handle type = hdf5::member_type(stored, member);
        if (!type) return std::string(": its rows have no member '") + member + "'";
        if (const std::string name = hdf5::type_name(type.get()); name != expected)
            return fmt::format(": its member '{}' is {}, not {}", member, name, expected);
    }
    return {};
}

}  // namespace mpitray::io
