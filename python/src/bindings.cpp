// The C++ half of `import mpitray` (the module mpitray._mpitray): frames, the host of Python
// modules, running a pipeline, and reading frame files. The Python half (python/mpitray/) holds
// what a script touches: Tray, Section, Module.
#include "frame_values.hpp"
#include "python_module.hpp"

#include <mpitray/cli/command_line.hpp>
#include <mpitray/cli/run.hpp>
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop.hpp>
#include <mpitray/io/frame_file_reader.hpp>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <csignal>

namespace py = pybind11;
using namespace mpitray;
using namespace mpitray::python;

namespace icesim {
void register_icesim();  // examples/icesim, linked into the module for the demo in Python
}  // namespace icesim

namespace {

// A parameter value from Python, as a pipeline file would have written it.
ConfigValue config_value_of(const std::string& where, py::handle value) {
    ConfigValue out;
    if (value.is_none()) {
        out.null = true;
    } else if (py::isinstance<py::bool_>(value)) {
        out.scalar = value.cast<bool>() ? "true" : "false";
    } else if (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value)) {
        out.scalar = py::repr(value).cast<std::string>();  // a float's repr reads back exactly
    } else if (py::isinstance<py::str>(value)) {
        out.scalar = value.cast<std::string>();
    } else if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
        out.kind = ConfigValue::Kind::list;
        for (py::handle item : value) out.items.push_back(config_value_of(where, item));
    } else if (py::isinstance<py::dict>(value)) {
        out.kind = ConfigValue::Kind::map;
        for (const auto& [key, item] : value.cast<py::dict>())
            out.entries.emplace_back(py::str(key).cast<std::string>(), config_value_of(where, item));
    } else if (py::isinstance<py::array>(value)) {
        return config_value_of(where, value.attr("tolist")());  // a numpy array: its values as a list
    } else if (py::hasattr(value, "dtype") && py::hasattr(value, "item")) {
        return config_value_of(where, value.attr("item")());  // a numpy scalar
    } else {
        throw ConfigError(where + ": a value of type '" +
                          py::str(py::type::of(value).attr("__name__")).cast<std::string>() +
                          "' cannot be a parameter (give a bool, int, float, str, or a list or dict of them)");
    }
    return out;
}

// The tray a script built: entries of dict(type, name, params: list of (name, value), inner).
std::vector<ModuleSpec> specs_of(const py::list& entries) {
    std::vector<ModuleSpec> specs;
    for (py::handle handle : entries) {
        const auto entry = handle.cast<py::dict>();
        ModuleSpec spec;
        spec.type = entry["type"].cast<std::string>();
        spec.name = entry["name"].cast<std::string>();
        spec.where = SourceLocation{entry["file"].cast<std::string>(), entry["line"].cast<int>()};
        for (py::handle pair : entry["params"].cast<py::list>()) {
            const auto name = pair.cast<py::tuple>()[0].cast<std::string>();
            ConfigValue value =
                config_value_of("parameter '" + name + "' of module '" + spec.name + "'", pair.cast<py::tuple>()[1]);
            value.where = spec.where;
            spec.params.emplace_back(name, std::move(value));
        }
        if (!entry["inner"].is_none()) {
            spec.has_inner = true;
            spec.inner = specs_of(entry["inner"].cast<py::list>());
        }
        specs.push_back(std::move(spec));
    }
    return specs;
}

RunOptions options_of(const py::dict& given) {
    RunOptions options;
    if (!given["events"].is_none()) options.events = given["events"].cast<std::uint64_t>();
    if (!given["seed"].is_none()) options.seed = given["seed"].cast<std::uint64_t>();
    options.quiet = given["quiet"].cast<bool>();
    options.metrics = given["metrics"].cast<std::string>();
    options.tables = given["tables"].cast<std::string>();
    options.table_dir = given["table_dir"].cast<std::string>();
    options.sets = given["sets"].cast<std::vector<std::string>>();
    options.resume = given.contains("resume") && given["resume"].cast<bool>();
    return options;
}

// Runs with Python's own handlers for SIGINT and SIGTERM set aside: the run installs its own
// (a first signal stops the run in order, as with `mpitray run`) and Python's come back after.
template <class Run>
int without_python_signal_handlers(Run run) {
    struct sigaction saved_int {
    }, saved_term{};
    sigaction(SIGINT, nullptr, &saved_int);
    sigaction(SIGTERM, nullptr, &saved_term);
    int code = 0;
    {
        const py::gil_scoped_release release;  // Python modules take the GIL when they run
        code = run();
    }
    sigaction(SIGINT, &saved_int, nullptr);
    sigaction(SIGTERM, &saved_term, nullptr);
    return code;
}

// frame.Put(key, value) and frame[key] = value.
void put_into(Frame& frame, const std::string& key, py::handle value) {
    if (frame.has_own(key))
        throw py::key_error("key '" + key + "' is already in " + frame.describe() +
                            ": objects in a frame do not change; Delete it first to put another");
    frame.put_object(key, from_python(key, value));
}

// frame.Delete(key) and del frame[key]: only the frame's own keys.
void delete_from(Frame& frame, const std::string& key) {
    if (!frame.erase(key)) throw py::key_error("no own key '" + key + "' in " + frame.describe());
}

std::vector<Stop> stops_of(const std::vector<std::string>& names) {
    std::vector<Stop> stops;
    for (const std::string& name : names) stops.push_back(parse_stop(name));
    return stops;
}

}  // namespace

PYBIND11_MODULE(_mpitray, m) {
    m.doc() = "mpitray's C++ core for Python: frames, Python modules in a tray, runs, frame files";
    // A Python interpreter embeds the modules mpitray's own program has, and the icesim demo's.
    register_all_modules();
    icesim::register_icesim();

    static py::exception<Error> mpitray_error(m, "Error");
    static py::exception<ConfigError> config_error(m, "ConfigError", mpitray_error.ptr());
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const ConfigError& e) {
            PyErr_SetString(config_error.ptr(), e.what());
        } catch (const Error& e) {
            PyErr_SetString(mpitray_error.ptr(), e.what());
        }
    });

    bind_frame_values(m);

    py::class_<Frame, FramePtr>(m, "Frame",
                                "A frame: a stop and named objects. Reads as a mapping: key in frame, frame[key], "
                                "frame.keys(); a frame also shows the keys of the latest metadata frames (its "
                                "Geometry, Calibration, ...), as in C++.")
        .def(py::init([](const std::string& stop) { return make_frame(parse_stop(stop)); }), py::arg("stop") = "P")
        .def_property_readonly(
            "Stop", [](const Frame& f) { return std::string(1, f.stop().code()); },
            "the stop, one letter: 'Q', 'P', 'G', ... (mpitray.Stop names them)")
        .def("__contains__", &Frame::has)
        .def("Has", &Frame::has)
        .def("keys", &Frame::keys)
        .def("__iter__", [](const Frame& f) { return py::iter(py::cast(f.keys())); })
        .def("__len__", [](const Frame& f) { return f.keys().size(); })
        .def("__getitem__",
             [](const Frame& f, const std::string& key) {
                 const auto object = f.find_shared(key);
                 if (!object) throw py::key_error("no key '" + key + "' in " + f.describe());
                 return to_python(object);
             })
        .def(
            "get",
            [](const Frame& f, const std::string& key, py::object fallback) {
                const auto object = f.find_shared(key);
                return object ? to_python(object) : fallback;
            },
            py::arg("key"), py::arg("default") = py::none())
        .def("Put", &put_into, "adds an object; a key the frame already holds is an error (Delete it first)")
        .def("__setitem__", &put_into)
        .def("Delete", &delete_from)
        .def("__delitem__", &delete_from)
        .def(
            "type_of",
            [](const Frame& f, const std::string& key) {
                const Object* object = f.find(key);
                if (object == nullptr) throw py::key_error("no key '" + key + "' in " + f.describe());
                return object->type();
            },
            "the registered type name of a key's object")
        .def("__repr__", [](const Frame& f) {
            std::string keys;
            for (const std::string& key : f.keys()) keys += (keys.empty() ? "" : ", ") + key;
            return "<Frame " + std::string(1, f.stop().code()) + ": " + keys + ">";
        });

    py::class_<Rng, std::unique_ptr<Rng, py::nodelete>>(
        m, "Rng",
        "The framework's random numbers, reseeded for each module and frame: the same numbers for the same "
        "frame on any number of ranks")
        .def("uniform", py::overload_cast<double, double>(&Rng::uniform), py::arg("low") = 0.0, py::arg("high") = 1.0)
        .def("normal", &Rng::normal, py::arg("mean") = 0.0, py::arg("sigma") = 1.0)
        .def("exponential", &Rng::exponential, py::arg("mean"))
        .def("poisson", &Rng::poisson, py::arg("mean"))
        .def("lognormal", &Rng::lognormal, py::arg("mu"), py::arg("sigma"));

    py::class_<PythonModule, std::unique_ptr<PythonModule, py::nodelete>>(m, "_ModuleContext")
        .def("add_parameter", &PythonModule::add_python_parameter)
        .def("get_parameter", &PythonModule::python_parameter)
        .def("push", &PythonModule::push_frame)
        .def_property_readonly("name", [](const PythonModule& module) { return module.name(); })
        .def_property_readonly("rng", &PythonModule::python_rng, py::return_value_policy::reference)
        .def(
            "counter",
            [](PythonModule& module, const std::string& name) -> Counter& {
                return module.python_summaries().counter(name);
            },
            py::return_value_policy::reference)
        .def(
            "weighted_sum",
            [](PythonModule& module, const std::string& name) -> WeightedSum& {
                return module.python_summaries().sum(name);
            },
            py::return_value_policy::reference)
        .def(
            "histogram",
            [](PythonModule& module, const std::string& name, int bins, double low, double high) -> WeightedHistogram& {
                return module.python_summaries().histogram(name, bins, low, high);
            },
            py::return_value_policy::reference);

    // A module's summaries (docs/python.md, "Summaries"): held by the module, merged across workers.
    py::class_<Counter, std::unique_ptr<Counter, py::nodelete>>(m, "Counter", "a count, merged across workers")
        .def("add", &Counter::add, py::arg("n") = 1)
        .def_property_readonly("value", &Counter::value);
    py::class_<WeightedSum, std::unique_ptr<WeightedSum, py::nodelete>>(
        m, "WeightedSum", "a number of weights and the exact sums of them and of their squares, merged across workers")
        .def("add", &WeightedSum::add, py::arg("weight"))
        .def_property_readonly("entries", &WeightedSum::entries)
        .def_property_readonly("sum", &WeightedSum::sum)
        .def_property_readonly("sum_of_squares", &WeightedSum::sum_of_squares);
    py::class_<WeightedHistogram, std::unique_ptr<WeightedHistogram, py::nodelete>>(
        m, "WeightedHistogram", "equal bins with under- and overflow, exact sums of weights, merged across workers")
        .def("fill", &WeightedHistogram::fill, py::arg("x"), py::arg("weight") = 1.0)
        .def_property_readonly("bins", &WeightedHistogram::bins)
        .def_property_readonly("edges", &WeightedHistogram::edges);

    m.def("_register_python_module", [](const std::string& type, const std::string& doc, py::object callable,
                                        bool function, const std::vector<std::string>& streams, py::dict kwargs) {
        auto kind = std::make_shared<PythonKind>(
            PythonKind{std::move(callable), function, stops_of(streams), std::move(kwargs)});
        std::shared_ptr<const PythonKind> shared = std::move(kind);
        ModuleRegistry::instance().add({type, doc, [shared] { return std::make_unique<PythonModule>(shared); }});
    });
    m.def("_unregister_module", [](const std::string& type) { ModuleRegistry::instance().remove(type); });

    m.def("_run", [](const py::list& entries, std::uint64_t seed, bool has_seed, const std::string& file,
                     const std::string& text, const py::dict& options) {
        Pipeline pipeline;
        pipeline.file = file;
        pipeline.text = text;
        pipeline.seed = seed;
        pipeline.has_seed = has_seed;
        // A parameter Python cannot express is the script's error, the same on every rank: its
        // ConfigError reaches Execute(), which prints it once.
        pipeline.tray = specs_of(entries);
        const RunOptions run = options_of(options);
        return without_python_signal_handlers([&] { return run_pipeline(std::move(pipeline), run); });
    });
    m.def("_run_file", [](const std::string& path, const py::dict& options) {
        RunOptions run = options_of(options);
        run.pipeline = path;
        return without_python_signal_handlers([&] { return run_pipeline_file(run); });
    });

    py::class_<io::FrameFileReader>(m, "_FrameFileReader")
        .def(py::init<std::string>())
        .def("next",
             [](io::FrameFileReader& r) -> py::object {
                 FramePtr frame = r.next();
                 return frame ? py::cast(frame) : py::none();
             })
        .def_property_readonly("info", [](const io::FrameFileReader& r) {
            const io::FileInfo& i = r.info();
            py::dict d;
            d["status"] = i.status;
            d["status_reason"] = i.status_reason;
            d["input_frames"] = i.input_frames;
            d["skipped_packets"] = i.skipped_packets;
            d["failure_log"] = i.failure_log;
            d["frames"] = i.frames;
            d["seed"] = i.seed ? py::cast(*i.seed) : py::none();
            d["pipeline"] = i.pipeline;
            d["pipeline_file"] = i.pipeline_file;
            d["mpitray_version"] = i.mpitray_version;
            d["created"] = i.created;
            d["closed"] = i.closed;
            return d;
        });
}
