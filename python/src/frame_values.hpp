#pragma once
// Frame objects as Python values, and back.
//
//   bool, int64, double, string, bytes      bool, int, float, str, bytes
//   vector<int64>, vector<double>           read-only numpy arrays over the frame's own memory
//   vector<bool>, vector<string>            lists
//   map<string,double>                      dict
//   a registered type with table columns    a read-only Record with one attribute per column
//   anything else                           an Opaque: its type and size, which a module can put
//                                           under another key unchanged
//
// Into a frame go the Python values of the first column (numpy arrays of int64 or float64, or
// lists of one kind of value), a Record or Opaque taken from a frame, and nothing else: any other
// value is a TypeError naming the key and the type.
#include <mpitray/core/frame.hpp>

#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mpitray::python {

// A registered type's table columns, read-only. Keeps the frame's object, so putting it into
// another frame puts that object itself.
struct Record {
    std::string type;
    std::vector<std::pair<std::string, pybind11::object>> fields;
    std::shared_ptr<const Object> object;
};

// An object Python cannot look into: a type without columns, or one this program does not know.
struct Opaque {
    std::shared_ptr<const Object> object;
};

pybind11::object to_python(const std::shared_ptr<const Object>& object);
// Throws pybind11::type_error naming `key` for a value that cannot be stored.
std::shared_ptr<const Object> from_python(const std::string& key, pybind11::handle value);

void bind_frame_values(pybind11::module_& m);

}  // namespace mpitray::python
