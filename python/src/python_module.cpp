#include "python_module.hpp"

#include <mpitray/core/error.hpp>

#include <pybind11/stl.h>

#include <cmath>

namespace py = pybind11;

namespace mpitray::python {
namespace {

// IceTray's callback names, by stop.
const std::map<char, const char*>& callback_names() {
    static const std::map<char, const char*> names = {
        {'G', "Geometry"}, {'C', "Calibration"}, {'D', "DetectorStatus"}, {'S', "Simulation"},
        {'I', "TrayInfo"}, {'Q', "DAQ"},         {'P', "Physics"}};
    return names;
}

// A None-default parameter's text, read back as what it looks like.
py::object scalar_of(const std::string& text) {
    if (text == "true" || text == "True") return py::bool_(true);
    if (text == "false" || text == "False") return py::bool_(false);
    try {
        std::size_t used = 0;
        const long long i = std::stoll(text, &used);
        if (used == text.size()) return py::int_(i);
    } catch (const std::exception&) {}
    try {
        std::size_t used = 0;
        const double d = std::stod(text, &used);
        if (used == text.size()) return py::float_(d);
    } catch (const std::exception&) {}
    return py::str(text);
}

}  // namespace

std::string describe_python_error(py::error_already_set& error) {
    std::string text = error.what();
    try {
        const py::object format = py::module_::import("traceback").attr("format_exception");
        std::string trace;
        for (py::handle line : format(error.type(), error.value(), error.trace())) trace += line.cast<std::string>();
        // The exception itself first, as the message's headline; then where it came from.
        const std::string headline = py::str(error.type().attr("__name__")).cast<std::string>() + ": " +
                                     py::str(error.value()).cast<std::string>();
        text = headline + "\n" + trace;
        while (!text.empty() && text.back() == '\n') text.pop_back();
    } catch (const std::exception&) {
        // No traceback module (interpreter shutting down): the exception's own text.
    }
    return text;
}

PythonModule::PythonModule(std::shared_ptr<const PythonKind> kind) : kind_(std::move(kind)) {
    if (kind_->function) return;
    const py::gil_scoped_acquire gil;
    try {
        instance_ = kind_->callable(py::cast(this, py::return_value_policy::reference));
    } catch (py::error_already_set& e) {
        throw ConfigError(describe_python_error(e));
    }
}

PythonModule::~PythonModule() {
    const py::gil_scoped_acquire gil;
    callbacks_.clear();
    process_ = py::object();
    instance_ = py::object();
}

void PythonModule::add_python_parameter(const std::string& name, const std::string& doc, const py::object& value) {
    if (value.is_none()) {
        add_optional_parameter<std::string>(name, doc);
        any_scalar_parameters_.insert(name);
    } else if (py::isinstance<py::bool_>(value)) {
        add_parameter<bool>(name, doc, value.cast<bool>());
    } else if (py::isinstance<py::int_>(value)) {
        add_parameter<std::int64_t>(name, doc, value.cast<std::int64_t>());
    } else if (py::isinstance<py::float_>(value)) {
        add_parameter<double>(name, doc, value.cast<double>());
    } else if (py::isinstance<py::str>(value)) {
        add_parameter<std::string>(name, doc, value.cast<std::string>());
    } else if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
        bool all_str = true, all_int = true, all_number = true;
        for (py::handle item : value) {
            const bool is_int = py::isinstance<py::int_>(item) && !py::isinstance<py::bool_>(item);
            all_str = all_str && py::isinstance<py::str>(item);
            all_int = all_int && is_int;
            all_number = all_number && (is_int || py::isinstance<py::float_>(item));
        }
        const auto items = value.cast<py::sequence>();
        if (items.size() > 0 && all_str) add_parameter(name, doc, items.cast<std::vector<std::string>>());
        else if (items.size() > 0 && all_int) add_parameter(name, doc, items.cast<std::vector<std::int64_t>>());
        else if (all_number) add_parameter(name, doc, items.cast<std::vector<double>>());
        else refuse_default(name, value, "a list of ints, of floats or of strs");
    } else {
        refuse_default(name, value, "a bool, int, float, str, a list of ints, floats or strs, or None");
    }
}

void PythonModule::refuse_default(const std::string& name, const py::object& value, const std::string& expected) const {
    throw ConfigError("parameter '" + name + "' of " +
                      py::str(kind_->callable.attr("__qualname__")).cast<std::string>() + ": the default " +
                      py::repr(value).cast<std::string>() + " says no parameter type; give " + expected);
}

py::object PythonModule::python_parameter(const std::string& name) const {
    const ParameterSpec* spec = parameters().spec(name);
    if (spec == nullptr) throw py::key_error("module '" + this->name() + "' has no parameter '" + name + "'");
    if (any_scalar_parameters_.count(name)) {
        const auto text = optional_parameter<std::string>(name);
        return text ? scalar_of(*text) : py::none();
    }
    switch (spec->type) {
        case ParamType::boolean: return py::cast(parameter<bool>(name));
        case ParamType::integer: return py::cast(parameter<std::int64_t>(name));
        case ParamType::real: return py::cast(parameter<double>(name));
        case ParamType::string: return py::cast(parameter<std::string>(name));
        case ParamType::string_list: return py::cast(parameter<std::vector<std::string>>(name));
        case ParamType::real_list: return py::cast(parameter<std::vector<double>>(name));
        case ParamType::integer_list: return py::cast(parameter<std::vector<std::int64_t>>(name));
    }
    return py::none();
}

void PythonModule::push_frame(FramePtr frame) { push(std::move(frame)); }

py::object PythonModule::call(const py::object& callable, const py::object& frame, const py::dict& kwargs) {
    try {
        return callable(frame, **kwargs);
    } catch (py::error_already_set& e) {
        throw std::runtime_error(describe_python_error(e));
    }
}

void PythonModule::configure() {
    const py::gil_scoped_acquire gil;
    if (kind_->function) return;
    try {
        if (py::hasattr(instance_, "Configure")) instance_.attr("Configure")();
    } catch (py::error_already_set& e) {
        throw ConfigError("module '" + name() + "': " + describe_python_error(e));
    }
    if (py::hasattr(instance_, "Process")) process_ = instance_.attr("Process");
    for (const auto& [stop, method] : callback_names())
        if (py::hasattr(instance_, method)) callbacks_[stop] = instance_.attr(method);
}

void PythonModule::process(const FramePtr& frame) {
    const py::gil_scoped_acquire gil;
    if (kind_->function) {
        bool called = false;
        for (Stop stop : kind_->streams) called = called || stop == frame->stop();
        if (!called) {
            push(frame);
            return;
        }
        // As in IceTray: a function that returns False (or anything false but None) drops the frame.
        const py::object keep = call(kind_->callable, py::cast(frame), kind_->kwargs);
        int truth = 1;
        if (!keep.is_none() && (truth = PyObject_IsTrue(keep.ptr())) < 0) {
            py::error_already_set error;
            throw std::runtime_error(describe_python_error(error));
        }
        if (truth) push(frame);
        return;
    }
    if (process_) {
        call(process_, py::cast(frame));
        return;
    }
    const auto it = callbacks_.find(frame->stop().code());
    if (it == callbacks_.end()) push(frame);  // no callback for this stop: the frame passes
    else call(it->second, py::cast(frame));
}

void PythonModule::finish() {
    if (kind_->function) return;
    const py::gil_scoped_acquire gil;
    try {
        if (py::hasattr(instance_, "Finish")) instance_.attr("Finish")();
    } catch (py::error_already_set& e) {
        throw std::runtime_error(describe_python_error(e));
    }
}

}  // namespace mpitray::python
