"""mpitray from Python, in IceTray's spelling.

    import mpitray

    def energetic(frame):
        return frame["MCMuon"].energy > 1000      # False drops the frame, as in IceTray

    tray = mpitray.Tray(seed=7)
    tray.AddModule("IceSimSource", events=1000)
    inner = mpitray.Section()
    inner.AddModule("PhotonPropagator")
    inner.AddModule(energetic)
    tray.AddModule("Dispatch", inner=inner)
    tray.AddModule("Writer", file="out.h5")
    tray.Execute()

Run it with `python3 script.py` on one process, or `mpirun -n 4 python3 script.py`: every rank
runs the script, rank 0 runs the tray and the other ranks run the Dispatch's inner section, each
in its own interpreter. docs/python.md is the guide.
"""
import inspect
import json
import os
import sys

from ._mpitray import ConfigError, Error, Frame, Opaque, Record, Rng  # noqa: F401
from . import _mpitray

__all__ = ["Tray", "Section", "Module", "Stop", "Frame", "FrameFile", "Record", "Opaque", "Rng", "Error",
           "ConfigError"]


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _script_line():
    """The file and line of the script (the first caller outside this package) adding a module."""
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _PACKAGE_DIR:
        frame = frame.f_back
    return (frame.f_code.co_filename, frame.f_lineno) if frame is not None else ("<python>", 0)


def _rank():
    """This process's rank as the launcher says (0 when not launched by one)."""
    for name in ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 0


def _refuse(message):
    """A mistake in the script found before the run: printed once (by rank 0), exit 2, as for a
    pipeline file's."""
    if _rank() == 0:
        print(f"mpitray: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


class Stop:
    """The stops, by IceTray's names: frame.Stop == mpitray.Stop.Physics."""
    Geometry = "G"
    Calibration = "C"
    DetectorStatus = "D"
    Simulation = "S"
    TrayInfo = "I"
    DAQ = "Q"
    Physics = "P"


class Module:
    """Base class of a module written in Python (IceTray's I3Module).

    Declare parameters in __init__ with AddParameter, read them in Configure with GetParameter,
    and define a method per stop you handle: Geometry, Calibration, DetectorStatus, Simulation,
    DAQ, Physics (or Process, which then takes every frame). Call PushFrame(frame) to send a
    frame on; a frame you do not push is dropped. Frames of a stop without a method pass through.
    Finish() is called at the end of the input. self.rng is the framework's random numbers,
    which make the same draws for the same frame on any number of ranks.
    """

    def __init__(self, context):
        self._context = context

    def _host(self):
        context = self.__dict__.get("_context")
        if context is None:
            raise Error(f"{type(self).__name__}.__init__ did not call super().__init__(context) (or "
                        "mpitray.Module.__init__(self, context)) before using the module")
        return context

    def AddParameter(self, name, doc="", default=None):
        """Declares a parameter; the default's type is the parameter's type (bool, int, float, str,
        or a list of ints, floats or strs). None makes a parameter without default that takes any
        single value, given back as a pipeline file would read it (3 an int, 0.5 a float, true a
        bool, anything else a str)."""
        self._host().add_parameter(name, doc, default)

    def GetParameter(self, name):
        return self._host().get_parameter(name)

    def PushFrame(self, frame):
        self._host().push(frame)

    def AddOutBox(self, name="OutBox"):
        """Accepted for IceTray modules: a module here has one way out."""

    def Configure(self):
        pass

    def Finish(self):
        pass

    def Counter(self, name):
        """A summary that counts (.add(n=1), .value): written once at the end of the run, the
        workers' merged into what a serial run counts. Declare it in __init__ or Configure."""
        return self._host().counter(name)

    def WeightedSum(self, name):
        """A summary of weights (.add(w); .entries, .sum, .sum_of_squares), summed exactly."""
        return self._host().weighted_sum(name)

    def Histogram(self, name, bins, low, high):
        """A summary histogram (.fill(x, weight=1.0)): equal bins from low to high, with under-
        and overflow, per bin the fills and the exact sums of the weights and of their squares."""
        return self._host().histogram(name, bins, low, high)

    @property
    def name(self):
        return self._host().name

    @property
    def rng(self):
        return self._host().rng


class Section:
    """A list of modules: a tray's, or a Dispatch's inner section (run on the worker ranks)."""

    def __init__(self):
        self._entries = []

    def AddModule(self, kind, name=None, **params):
        """Adds a module. `kind` is a registered module's name ("Writer", "PhotonPropagator"), a
        subclass of mpitray.Module, or a function of a frame (called for Physics frames, or those
        listed in Streams=[...]; returning False drops the frame; other keyword arguments are
        passed to it). Keyword arguments are the module's parameters; for Dispatch, inner= is
        its inner Section."""
        file, line = _script_line()
        if isinstance(kind, str):
            label = kind
        elif inspect.isclass(kind) and issubclass(kind, Module):
            label = kind.__name__
        elif callable(kind) and not inspect.isclass(kind):
            label = kind.__name__ if kind.__name__ != "<lambda>" else "lambda"
        else:
            raise TypeError(f"AddModule: {kind!r} is not a module name, a subclass of mpitray.Module or a function")
        if name is None:
            name = label
            taken = {entry["name"] for entry in self._entries}
            count = 2
            while name in taken:
                name, count = f"{label}_{count}", count + 1
        inner = params.pop("inner", None)
        if inner is not None and not isinstance(inner, Section):
            raise TypeError(f"AddModule('{name}'): inner= takes an mpitray.Section")
        self._entries.append({"kind": kind, "name": name, "params": params, "inner": inner,
                              "file": file, "line": line})
        return self

    Add = AddModule

    def _entries_for_run(self, registered):
        """The entries as the C++ side takes them, registering the Python modules as types."""
        out = []
        for entry in self._entries:
            kind, params = entry["kind"], dict(entry["params"])
            shown = params  # what the pipeline's text shows
            if isinstance(kind, str):
                type_name = kind
            elif inspect.isclass(kind):
                type_name = f"python:{kind.__module__}.{kind.__qualname__}"
                if type_name not in registered:
                    doc = (inspect.getdoc(kind) or "a Python module").splitlines()[0]
                    _mpitray._register_python_module(type_name, doc, kind, False, [], {})
                    registered.append(type_name)
            else:
                # A function's keyword arguments go to it as they are, not through parameters.
                arguments, params = params, {}
                streams = arguments.pop("Streams", [Stop.Physics])
                if isinstance(streams, str):
                    streams = [streams]
                try:
                    inspect.signature(kind).bind(None, **arguments)
                except TypeError as mismatch:
                    raise ConfigError(f"module '{entry['name']}' (line {entry['line']}): the function "
                                      f"{kind.__qualname__} does not take these arguments: {mismatch}") from None
                except ValueError:
                    pass  # no signature to check (a builtin)
                type_name = f"python:{kind.__module__}.{kind.__qualname__}#{len(registered)}"
                doc = (inspect.getdoc(kind) or "a Python function").splitlines()[0]
                _mpitray._register_python_module(type_name, doc, kind, True, [str(s) for s in streams], arguments)
                registered.append(type_name)
                shown = {"Streams": list(streams), **arguments}
            inner = entry["inner"]._entries_for_run(registered) if entry["inner"] is not None else None
            out.append({"type": type_name, "name": entry["name"], "params": list(params.items()), "shown": shown,
                        "inner": inner, "file": entry["file"], "line": entry["line"]})
        return out


def _yaml_value(value):
    try:
        return json.dumps(value)  # JSON is YAML's flow style
    except TypeError:
        return json.dumps(repr(value))


def _yaml_lines(entries, indent):
    lines = []
    for entry in entries:
        pad = " " * indent
        lines.append(f"{pad}- module: {json.dumps(entry['type'])}")
        lines.append(f"{pad}  name: {json.dumps(entry['name'])}")
        params = entry["shown"]
        if params:
            lines.append(f"{pad}  params: {{" + ", ".join(f"{json.dumps(k)}: {_yaml_value(v)}" for k, v in params.items())
                         + "}")
        if entry["inner"] is not None:
            lines.append(f"{pad}  inner:")
            lines += _yaml_lines(entry["inner"], indent + 4)
    return lines


class Tray(Section):
    """A tray: tray.AddModule(...) for each module, then tray.Execute().

    Tray(seed=7): the seed of the framework's random numbers (as `seed:` in a pipeline file).
    Tray.Load("pipeline.yaml") runs a pipeline file instead.
    """

    def __init__(self, seed=None):
        super().__init__()
        self.seed = seed
        self._file = None
        self.script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else "<python>"

    @classmethod
    def Load(cls, path):
        """A tray that runs the pipeline file `path`, as `mpitray run path` would."""
        tray = cls()
        tray._file = path
        return tray

    def AddModule(self, kind, name=None, **params):
        if self._file is not None:
            raise Error(f"the tray runs the pipeline file '{self._file}' as written: change it with "
                        "Execute(set=['MODULE.PARAM=VALUE'])")
        return super().AddModule(kind, name, **params)

    Add = AddModule

    def yaml(self):
        """The tray as a pipeline file would write it (Python modules by their names): what the
        output files keep as their pipeline. A loaded tray's is its file's text."""
        if self._file is not None:
            with open(self._file) as f:
                return f.read()
        registered = []
        try:
            return self._yaml_of(self._entries_for_run(registered))
        finally:
            for type_name in registered:
                _mpitray._unregister_module(type_name)

    def _yaml_of(self, entries):
        head = [f"# built by the Python script {self.script}"]
        if self.seed is not None:
            head.append(f"seed: {int(self.seed)}")
        return "\n".join(head + ["tray:"] + _yaml_lines(entries, 2)) + "\n"

    def Execute(self, n=None, quiet=False, metrics="", tables="shared", table_dir="/dev/shm", set=(),
                resume=False):
        """Runs the tray: n source events at most (all when None). Under mpirun every rank calls
        it: rank 0 runs the tray, the others the inner sections. Prints the summary unless quiet.
        metrics, tables and table_dir are `mpitray run`'s --metrics, --tables and --table-dir;
        set takes 'MODULE.PARAM=VALUE' overrides; resume=True is --resume (go on from where the
        same script with the same options stopped or was killed). A run that does not end well ends the script
        with `mpitray run`'s exit code (SystemExit: 1 failed, 2 configuration error, 75 stopped by
        a signal) after its message was printed once."""
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
            _refuse(f"Execute(n={n!r}): n is a number of events, a whole number from 0, or None for all")
        if self.seed is not None and (not isinstance(self.seed, int) or isinstance(self.seed, bool)
                                      or not 0 <= self.seed < 2**64):
            _refuse(f"Tray(seed={self.seed!r}): a seed is a whole number from 0 to 2^64 - 1")
        options = {"events": n, "seed": None, "quiet": bool(quiet), "metrics": metrics or "",
                   "tables": tables, "table_dir": table_dir, "sets": [str(s) for s in set],
                   "resume": bool(resume)}
        if self._file is not None:
            code = _mpitray._run_file(self._file, options)
        else:
            registered = []
            try:
                entries = self._entries_for_run(registered)
                code = _mpitray._run(entries, int(self.seed or 0), self.seed is not None, self.script,
                                     self._yaml_of(entries), options)
            except ConfigError as mistake:
                _refuse(str(mistake))
            finally:
                for type_name in registered:
                    _mpitray._unregister_module(type_name)
        if code != 0:
            raise SystemExit(code)


class FrameFile:
    """The frames of an mpitray frame file, in order: for frame in mpitray.FrameFile("out.h5").

    Its attributes say how it was written: status ('complete', 'failed', ...), seed, pipeline
    (the pipeline's text), pipeline_file, frames (how many), input_frames, created, closed.
    """

    def __init__(self, path):
        self.path = path
        self._info = _mpitray._FrameFileReader(path).info

    def __getattr__(self, name):
        try:
            return self.__dict__["_info"][name]
        except KeyError:
            raise AttributeError(f"FrameFile has no attribute '{name}'") from None

    def __iter__(self):
        reader = _mpitray._FrameFileReader(self.path)
        while (frame := reader.next()) is not None:
            yield frame

    def __len__(self):
        return self._info["frames"]

    def __repr__(self):
        return f"<FrameFile {self.path}: {self._info['frames']} frames, {self._info['status']}>"
