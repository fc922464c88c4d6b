#include "frame_values.hpp"

#include <mpitray/core/summary.hpp>
#include <mpitray/core/table_row.hpp>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <limits>
#include <map>

namespace py = pybind11;

namespace mpitray::python {
namespace {

// A read-only numpy array over the vector the frame holds: no copy, and the vector lives as long
// as the array does.
template <class T>
py::array read_only_array(std::shared_ptr<const std::vector<T>> values) {
    auto* keep = new std::shared_ptr<const std::vector<T>>(std::move(values));
    const py::capsule owner(keep, [](void* p) { delete static_cast<std::shared_ptr<const std::vector<T>>*>(p); });
    py::array_t<T> array({(*keep)->size()}, {sizeof(T)}, (*keep)->data(), owner);
    array.attr("setflags")(py::arg("write") = false);
    return array;
}

template <class T>
std::shared_ptr<const Object> object_of(T value) {
    return Object::from_value<T>(std::make_shared<const T>(std::move(value)));
}

py::object cell_value(const TableCell& cell) {
    if (const auto* i = std::get_if<std::int64_t>(&cell.value)) return py::int_(*i);
    if (const auto* d = std::get_if<double>(&cell.value)) return py::float_(*d);
    return py::bool_(std::get<bool>(cell.value));
}

[[noreturn]] void cannot_store(const std::string& key, py::handle value, const std::string& why = "") {
    throw py::type_error("key '" + key + "': a value of type '" +
                         std::string(py::str(py::type::of(value).attr("__name__"))) + "' cannot be stored in a frame" +
                         (why.empty() ? "" : " (" + why + ")") +
                         ". A frame stores bool, int (64-bit), float, str, bytes, a list or 1-D numpy array of "
                         "ints, floats, bools or strs, a dict of str to float, and a Record or Opaque taken from a "
                         "frame");
}

std::shared_ptr<const Object> from_array(const std::string& key, const py::array& array) {
    if (array.ndim() != 1) cannot_store(key, array, "a numpy array of " + std::to_string(array.ndim()) + " dimensions");
    const char kind = array.dtype().kind();
    if (kind == 'u' && array.size() > 0 &&
        py::cast<std::uint64_t>(array.attr("max")()) > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        cannot_store(key, array, "unsigned integers beyond 64-bit signed ones");
    if (kind == 'i' || kind == 'u') {
        const auto ints = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(array);
        return object_of(std::vector<std::int64_t>(ints.data(), ints.data() + ints.size()));
    }
    if (kind == 'U') return object_of(py::cast<std::vector<std::string>>(array.attr("tolist")()));
    if (kind == 'f') {
        const auto doubles = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(array);
        return object_of(std::vector<double>(doubles.data(), doubles.data() + doubles.size()));
    }
    if (kind == 'b') return object_of(py::cast<std::vector<bool>>(array.attr("tolist")()));
    cannot_store(key, array, "a numpy array of dtype " + std::string(py::str(array.dtype())));
}

std::shared_ptr<const Object> from_list(const std::string& key, const py::sequence& items) {
    bool all_bool = true, all_int = true, all_number = true, all_str = true;
    for (py::handle item : items) {
        const bool is_bool = py::isinstance<py::bool_>(item);
        const bool is_int = !is_bool && py::isinstance<py::int_>(item);
        all_bool = all_bool && is_bool;
        all_int = all_int && is_int;
        all_number = all_number && (is_int || py::isinstance<py::float_>(item));
        all_str = all_str && py::isinstance<py::str>(item);
    }
    try {
        if (items.size() == 0 || (all_number && !all_int)) return object_of(py::cast<std::vector<double>>(items));
        if (all_bool) return object_of(py::cast<std::vector<bool>>(items));
        if (all_int) return object_of(py::cast<std::vector<std::int64_t>>(items));
        if (all_str) return object_of(py::cast<std::vector<std::string>>(items));
    } catch (const py::cast_error&) {
        cannot_store(key, items, "an int beyond 64 bits");
    }
    cannot_store(key, items, "a list must hold one kind of value");
}

// A summary as a dict laid out as its datasets in a frame file (io/summary_datasets.hpp).
py::dict summary_to_python(const Summary& summary) {
    py::dict out;
    out["kind"] = summary.kind();
    if (const auto* count = summary.get<Counter>()) {
        out["value"] = count->value();
    } else if (const auto* sum = summary.get<WeightedSum>()) {
        out["entries"] = sum->entries();
        out["sumw"] = sum->sum();
        out["sumw2"] = sum->sum_of_squares();
    } else {
        WeightedHistogram::Arrays a = summary.get<WeightedHistogram>()->arrays();
        auto array = [](auto values) {
            return read_only_array(std::make_shared<const decltype(values)>(std::move(values)));
        };
        out["edges"] = array(std::move(a.edges));
        out["counts"] = array(std::move(a.counts));
        out["sumw"] = array(std::move(a.sumw));
        out["sumw2"] = array(std::move(a.sumw2));
        out["flow_counts"] = array(std::move(a.flow_counts));
        out["flow_sumw"] = array(std::move(a.flow_sumw));
        out["flow_sumw2"] = array(std::move(a.flow_sumw2));
    }
    return out;
}

}  // namespace

py::object to_python(const std::shared_ptr<const Object>& object) {
    const std::string& type = object->type();
    if (type == "bool") return py::bool_(*object->value<bool>());
    if (type == "int64") return py::int_(*object->value<std::int64_t>());
    if (type == "double") return py::float_(*object->value<double>());
    if (type == "string") return py::str(*object->value<std::string>());
    if (type == "bytes") {
        const auto bytes = object->value<std::vector<std::uint8_t>>();
        return py::bytes(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    }
    if (type == "vector<int64>") return read_only_array(object->value<std::vector<std::int64_t>>());
    if (type == "vector<double>") return read_only_array(object->value<std::vector<double>>());
    if (type == "vector<bool>") return py::cast(*object->value<std::vector<bool>>());
    if (type == "vector<string>") return py::cast(*object->value<std::vector<std::string>>());
    if (type == "map<string,double>") return py::cast(*object->value<std::map<std::string, double>>());
    if (type == "Summary") return summary_to_python(*object->value<Summary>());
    TableRow row;
    if (object->columns(row)) {
        Record record{type, {}, object};
        for (const TableCell& cell : row.cells()) record.fields.emplace_back(cell.name, cell_value(cell));
        return py::cast(std::move(record));
    }
    return py::cast(Opaque{object});
}

std::shared_ptr<const Object> from_python(const std::string& key, py::handle value) {
    if (py::isinstance<Record>(value)) return value.cast<const Record&>().object;
    if (py::isinstance<Opaque>(value)) return value.cast<const Opaque&>().object;
    if (py::isinstance<py::bool_>(value)) return object_of(value.cast<bool>());
    if (py::isinstance<py::int_>(value)) {
        try {
            return object_of(value.cast<std::int64_t>());
        } catch (const py::cast_error&) {
            cannot_store(key, value, "an int beyond 64 bits");
        }
    }
    if (py::isinstance<py::float_>(value)) return object_of(value.cast<double>());
    if (py::isinstance<py::str>(value)) return object_of(value.cast<std::string>());
    if (py::isinstance<py::bytes>(value)) {
        const std::string bytes = value.cast<std::string>();
        return object_of(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    }
    if (py::isinstance<py::array>(value)) return from_array(key, value.cast<py::array>());
    // numpy's scalars (numpy.int64, numpy.bool_) are not Python's: store what they hold.
    if (py::hasattr(value, "dtype") && py::hasattr(value, "item") && !py::isinstance<py::sequence>(value))
        return from_python(key, value.attr("item")());
    if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value))
        return from_list(key, value.cast<py::sequence>());
    if (py::isinstance<py::dict>(value)) {
        try {
            return object_of(value.cast<std::map<std::string, double>>());
        } catch (const py::cast_error&) {
            cannot_store(key, value, "a dict must map str to float");
        }
    }
    cannot_store(key, value);
}

void bind_frame_values(py::module_& m) {
    py::class_<Record>(m, "Record",
                       "A registered type's table columns, read-only: one attribute per column. Put it into a "
                       "frame to store the object it came from.")
        .def_property_readonly(
            "type", [](const Record& r) { return r.type; }, "the object's registered type name")
        .def("__getattr__",
             [](const Record& r, const std::string& name) -> py::object {
                 for (const auto& [field, value] : r.fields)
                     if (field == name) return value;
                 throw py::attribute_error("'" + r.type + "' has no column '" + name + "'");
             })
        .def("_asdict",
             [](const Record& r) {
                 py::dict d;
                 for (const auto& [field, value] : r.fields) d[py::str(field)] = value;
                 return d;
             })
        .def("__dir__",
             [](const Record& r) {
                 py::list names;
                 for (const auto& field : r.fields) names.append(field.first);
                 return names;
             })
        .def("__repr__", [](const Record& r) {
            std::string text = r.type + "(";
            for (std::size_t i = 0; i < r.fields.size(); ++i)
                text += (i ? ", " : "") + r.fields[i].first + "=" + std::string(py::repr(r.fields[i].second));
            return text + ")";
        });
    py::class_<Opaque>(m, "Opaque",
                       "An object Python cannot look into (a type without columns, or unknown to this program); "
                       "put it into a frame to store it unchanged.")
        .def_property_readonly("type", [](const Opaque& o) { return o.object->type(); })
        .def_property_readonly(
            "size", [](const Opaque& o) { return o.object->size(); }, "its encoded size in bytes")
        .def("__repr__", [](const Opaque& o) {
            return "<Opaque " + o.object->type() + ", " + std::to_string(o.object->size()) + " bytes>";
        });
}

}  // namespace mpitray::python
