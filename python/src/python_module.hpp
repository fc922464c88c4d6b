#pragma once
// A module written in Python, hosted by the tray like any C++ module: a subclass of
// mpitray.Module (IceTray's spelling: AddParameter, Configure, Physics, PushFrame, ...) or a plain
// function of a frame. Each rank runs its own interpreter, so Python modules on different workers
// never wait for each other's GIL; within a process the GIL is held only while Python runs.
#include <mpitray/core/module.hpp>

#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace mpitray::python {

// What AddModule was given for a Python module: the class or function, and for a function the
// stops it is called for and the keyword arguments it is called with.
struct PythonKind {
    pybind11::object callable;
    bool function = false;
    std::vector<Stop> streams;  // a function's; a class module sees every stop
    pybind11::dict kwargs;      // a function's
};

class PythonModule : public Module {
public:
    explicit PythonModule(std::shared_ptr<const PythonKind> kind);
    ~PythonModule() override;

    void configure() override;
    void process(const FramePtr& frame) override;
    void finish() override;

    // mpitray.Module's AddParameter: the default's Python type gives the parameter's type
    // (None: any scalar, read back as int, float, bool or str).
    void add_python_parameter(const std::string& name, const std::string& doc, const pybind11::object& default_value);
    pybind11::object python_parameter(const std::string& name) const;
    void push_frame(FramePtr frame);
    Rng& python_rng() { return rng(); }
    // mpitray.Module's Counter, WeightedSum and Histogram: the module's summaries.
    SummarySet& python_summaries() { return summaries(); }

private:
    [[noreturn]] void refuse_default(const std::string& name, const pybind11::object& value,
                                     const std::string& expected) const;
    // Calls into Python; a Python exception becomes an error carrying its traceback.
    pybind11::object call(const pybind11::object& callable, const pybind11::object& frame,
                          const pybind11::dict& kwargs = pybind11::dict());

    std::shared_ptr<const PythonKind> kind_;
    pybind11::object instance_;                    // a class module's instance
    std::map<char, pybind11::object> callbacks_;   // per stop, from the instance's methods
    pybind11::object process_;                     // its Process(frame), which takes every stop
    std::set<std::string> any_scalar_parameters_;  // declared with a default of None
};

// "ValueError: bad energy" followed by the traceback; for the module's error.
std::string describe_python_error(pybind11::error_already_set& error);

}  // namespace mpitray::python
