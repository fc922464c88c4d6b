"""import mpitray, on one process: trays in IceTray's spelling, Python modules and functions, frames as
mappings, frame files, and the errors a script can make. Run by ctest (python.pytest) with
PYTHONPATH=build/python; the MPI cases are in equivalence_test.sh and signal_test.sh."""
import inspect

import numpy as np
import pytest

import mpitray


def run(tray, capfd=None, **options):
    """Executes quietly; returns what the run printed on stderr."""
    tray.Execute(quiet=True, **options)
    return capfd.readouterr().err if capfd else ""


def failing_run(tray, capfd, code):
    with pytest.raises(SystemExit) as ended:
        tray.Execute(quiet=True)
    assert ended.value.code == code
    return capfd.readouterr().err


class Inspect(mpitray.Module):
    """records what a P frame holds, as Python sees it"""
    seen = []

    def __init__(self, context):
        super().__init__(context)
        self.AddParameter("scale", "multiplies the energy", 2.0)
        self.AddParameter("label", "a free value", None)

    def Configure(self):
        self.scale = self.GetParameter("scale")
        Inspect.seen.append(("label", self.GetParameter("label")))

    def Physics(self, frame):
        Inspect.seen.append({key: frame[key] for key in frame.keys()})
        frame["Scaled"] = frame["Energy"] * self.scale
        frame["Hits"] = [1, 2, 3]
        frame["Times"] = np.array([0.5, 1.5])
        frame["Names"] = ["a", "b"]
        frame.Put("Flag", True)
        self.PushFrame(frame)


def test_a_python_module_sees_frames_as_mappings_and_its_values_are_written(tmp_path):
    Inspect.seen.clear()
    out = tmp_path / "out.h5"
    tray = mpitray.Tray(seed=3)
    tray.AddModule("Generator", events=3, payload_bytes=8)
    tray.AddModule(Inspect, scale=3.0, label=7.5)
    tray.AddModule("Writer", file=str(out))
    run(tray)
    assert Inspect.seen[0] == ("label", 7.5), "a None-default parameter reads back as what it looks like"
    first = Inspect.seen[1]
    assert isinstance(first["Energy"], float)
    assert isinstance(first["Payload"], bytes) and len(first["Payload"]) == 8
    header = first["EventHeader"]
    assert (header.type, header.run, header.event) == ("EventHeader", 1, 0), "a registered type's columns"
    # The keys of the latest metadata frames are seen too, as in C++: the Geometry's positions
    # (a read-only array over the frame's memory) and the Calibration's gains (a dict).
    assert isinstance(first["ModulePositions"], np.ndarray), first["ModulePositions"]
    assert first["Gains"]["low"] == pytest.approx(0.1)

    frames = list(mpitray.FrameFile(str(out)))
    physics = [f for f in frames if f.Stop == mpitray.Stop.Physics]
    assert len(physics) == 3
    p = physics[1]
    assert p["Scaled"] == pytest.approx(3 * p["Energy"])
    assert p.type_of("Hits") == "vector<int64>" and list(p["Hits"]) == [1, 2, 3]
    times = p["Times"]
    assert isinstance(times, np.ndarray) and times.dtype == np.float64 and list(times) == [0.5, 1.5]
    with pytest.raises(ValueError):
        times[0] = 9  # read-only: the frame's own memory
    assert p["Names"] == ["a", "b"] and p["Flag"] is True
    assert p["EventHeader"].event == 1


def test_a_function_drops_the_frames_it_returns_false_for_and_gets_its_arguments(tmp_path):
    out = tmp_path / "out.h5"
    tray = mpitray.Tray(seed=3)
    tray.AddModule("Generator", events=20)
    tray.AddModule(lambda frame, modulo: frame["EventHeader"].event % modulo == 0, modulo=4)
    tray.AddModule("Writer", file=str(out))
    run(tray)
    events = [f["EventHeader"].event for f in mpitray.FrameFile(str(out)) if f.Stop == "P"]
    assert events == [0, 4, 8, 12, 16]


def test_a_frame_file_says_how_it_was_written(tmp_path):
    out = tmp_path / "out.h5"
    tray = mpitray.Tray(seed=5)
    tray.AddModule("Generator", events=2)
    tray.AddModule(Inspect, "inspect")
    tray.AddModule("Writer", file=str(out))
    run(tray)
    f = mpitray.FrameFile(str(out))
    assert (f.status, f.seed, len(f)) == ("complete", 5, 5)
    assert "python:test_python.Inspect" in f.pipeline and "name: \"inspect\"" in f.pipeline
    assert "seed: 5" in tray.yaml()


def test_a_bad_parameter_is_refused_before_anything_runs_naming_module_and_parameter(tmp_path, capfd):
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events="many")
    tray.AddModule("Writer", file=str(tmp_path / "never.h5"))
    err = failing_run(tray, capfd, 2)
    assert "mpitray: error:" in err and "events" in err and "Generator" in err, err
    assert not (tmp_path / "never.h5").exists()


def test_an_unknown_module_name_suggests_the_close_ones(capfd):
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator")
    tray.AddModule("Writr", file="x.h5")
    err = failing_run(tray, capfd, 2)
    assert "Writer" in err, err


def test_a_python_parameter_of_the_wrong_type_is_a_configuration_error(capfd):
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events=1)
    tray.AddModule(Inspect, scale="large")
    err = failing_run(tray, capfd, 2)
    assert "scale" in err and "large" in err, err


class Explode(mpitray.Module):
    def Physics(self, frame):
        if frame["EventHeader"].event == 2:
            raise ValueError("bad event")
        self.PushFrame(frame)


def test_a_python_exception_fails_the_run_with_its_traceback_module_and_event(tmp_path, capfd):
    out = tmp_path / "out.h5"
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events=5)
    tray.AddModule(Explode, "explode")
    tray.AddModule("Writer", file=str(out))
    err = failing_run(tray, capfd, 1)
    assert "ValueError: bad event" in err and "explode" in err and "event 2" in err, err
    assert "test_python.py" in err and "Traceback" in err, err
    assert mpitray.FrameFile(str(out)).status == "failed"


def test_on_error_skip_leaves_out_the_packet_a_python_module_failed_on(tmp_path, capfd):
    out = tmp_path / "out.h5"
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events=5)
    inner = mpitray.Section()
    inner.AddModule(Explode)
    tray.AddModule("Dispatch", inner=inner, on_error="skip", failure_log=str(tmp_path / "skipped.h5"))
    tray.AddModule("Writer", file=str(out))
    run(tray)
    events = [f["EventHeader"].event for f in mpitray.FrameFile(str(out)) if f.Stop == "P"]
    assert events == [0, 1, 3, 4]
    assert mpitray.FrameFile(str(out)).skipped_packets == 1


def test_a_value_a_frame_cannot_store_names_the_key_and_the_type(capfd):
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events=1)
    tray.AddModule(lambda frame: frame.Put("Thing", object()))
    err = failing_run(tray, capfd, 1)
    assert "key 'Thing'" in err and "'object'" in err, err


def test_a_yaml_pipeline_runs_as_written_with_overrides(tmp_path):
    pipeline = tmp_path / "p.yaml"
    out = tmp_path / "out.h5"
    pipeline.write_text(f"seed: 9\ntray:\n  - module: Generator\n    params: {{events: 4}}\n"
                        f"  - module: Writer\n    params: {{file: {out}}}\n")
    tray = mpitray.Tray.Load(str(pipeline))
    with pytest.raises(mpitray.Error):
        tray.AddModule("Count")
    assert tray.yaml() == pipeline.read_text()
    run(tray, set=["Generator.events=6"])
    assert sum(f.Stop == "P" for f in mpitray.FrameFile(str(out))) == 6


def test_frames_made_in_python():
    frame = mpitray.Frame("Q")
    frame["Energy"] = 3.5
    frame["Counts"] = {"a": 1.0}
    assert frame.Stop == "Q" and "Energy" in frame and frame["Counts"] == {"a": 1.0}
    with pytest.raises(KeyError, match="Delete it first"):
        frame["Energy"] = 4.0  # objects are immutable: Delete first
    del frame["Energy"]
    frame["Energy"] = 4.0
    assert frame["Energy"] == 4.0
    with pytest.raises(KeyError):
        frame["Missing"]
    with pytest.raises(TypeError, match="key 'Deep'"):
        frame["Deep"] = np.zeros((2, 2))
    with pytest.raises(TypeError, match="key 'Huge'.*beyond 64-bit"):
        frame["Huge"] = np.array([2**63 + 5], dtype=np.uint64)
    frame["Small"] = np.array([7], dtype=np.uint8)
    frame["Labels"] = np.array(["a", "bc"])
    assert list(frame["Small"]) == [7] and frame["Labels"] == ["a", "bc"]


def test_a_function_keeps_or_drops_by_python_truth(tmp_path):
    out = tmp_path / "out.h5"
    tray = mpitray.Tray(seed=3)
    tray.AddModule("Generator", events=6)
    tray.AddModule(lambda frame: "" if frame["EventHeader"].event % 2 else "keep")
    tray.AddModule(lambda frame: [] if frame["EventHeader"].event == 4 else [1])
    tray.AddModule("Writer", file=str(out))
    run(tray)
    assert [f["EventHeader"].event for f in mpitray.FrameFile(str(out)) if f.Stop == "P"] == [0, 2]


class NoSuper(mpitray.Module):
    def __init__(self, context):
        self.AddParameter("x", "forgot super().__init__", 1)


class BoolList(mpitray.Module):
    def __init__(self, context):
        super().__init__(context)
        self.AddParameter("flags", "a list of bools", [True, False])


@pytest.mark.parametrize("add, expected", [
    (lambda tray: tray.AddModule("Count", name=None, stops=object()), "cannot be a parameter"),
    (lambda tray: tray.AddModule(lambda frame: True, Streams=["Physics"]), "Physics"),
    (lambda tray: tray.AddModule(lambda frame: True, threshold=3), "does not take these arguments"),
    (lambda tray: tray.AddModule(NoSuper), "did not call super().__init__(context)"),
    (lambda tray: tray.AddModule(BoolList), "a list of ints, of floats or of strs"),
    (lambda tray: tray.AddModule("Stamp", stops=np.array(["P", "Q", "QQ"])), "QQ"),
])
def test_a_mistake_in_the_script_is_refused_once_with_exit_2(capfd, add, expected):
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events=1)
    add(tray)
    err = failing_run(tray, capfd, 2)
    assert err.count("mpitray: error:") == 1 and expected in err, err


def test_an_error_names_the_line_of_the_script_that_added_the_module(capfd):
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events=1)
    line = inspect.currentframe().f_lineno + 1
    tray.AddModule("Writr", file="x.h5")
    err = failing_run(tray, capfd, 2)
    assert f"test_python.py:{line}" in err, err


def test_seed_and_event_count_are_checked(capfd):
    tray = mpitray.Tray(seed=-1)
    tray.AddModule("Generator", events=1)
    assert "seed" in failing_run(tray, capfd, 2)
    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events=1)
    with pytest.raises(SystemExit):
        tray.Execute(n=-1)


class Tally(mpitray.Module):
    """counts events and histograms their energy in its summaries"""

    def __init__(self, context):
        super().__init__(context)
        self.events = self.Counter("events")
        self.energy = self.Histogram("energy", 4, 0.0, 20.0)
        self.weights = self.WeightedSum("weights")

    def Physics(self, frame):
        self.events.add()
        self.energy.fill(frame["Energy"], weight=0.5)
        self.weights.add(0.5)
        self.PushFrame(frame)


def test_a_python_modules_summaries_come_out_once_at_the_end_and_read_back_as_dicts(tmp_path):
    out = tmp_path / "out.h5"
    tray = mpitray.Tray(seed=3)
    tray.AddModule("Generator", events=30)
    tray.AddModule(Tally, "tally")
    tray.AddModule("Writer", file=str(out))
    run(tray)
    frames = list(mpitray.FrameFile(str(out)))
    energies = [f["Energy"] for f in frames if f.Stop == "P"]
    summary = frames[-1]
    assert summary.Stop == "Z" and summary["SummaryOf"] == "tally"
    assert [f.Stop for f in frames].count("Z") == 1
    assert summary["events"] == {"kind": "count", "value": 30}
    h = summary["energy"]
    assert h["kind"] == "histogram" and list(h["edges"]) == [0.0, 5.0, 10.0, 15.0, 20.0]
    expected, _ = np.histogram(energies, bins=h["edges"])
    assert list(h["counts"]) == list(expected)
    assert h["counts"].sum() + h["flow_counts"].sum() == 30
    assert summary["weights"]["entries"] == 30 and summary["weights"]["sumw"] == 15.0


def test_a_summary_declared_twice_in_two_ways_is_a_configuration_error(capfd):
    class Twice(mpitray.Module):
        def __init__(self, context):
            super().__init__(context)
            self.Counter("n")
            self.Histogram("n", 3, 0.0, 1.0)

    tray = mpitray.Tray(seed=1)
    tray.AddModule("Generator", events=1)
    tray.AddModule(Twice, "twice")
    err = failing_run(tray, capfd, 2)
    assert "summary 'n' is declared twice" in err, err


RESUMABLE_SCRIPT = '''
import sys
import mpitray

tray = mpitray.Tray(seed=3)
tray.AddModule("Generator", events=400, payload_bytes=16)
inner = mpitray.Section()
inner.AddModule("Work", mode="sleep", cost="fixed", mean_ms=5)
tray.AddModule("Dispatch", inner=inner, checkpoint_seconds=0.2)
tray.AddModule("Writer", file="out.h5")
tray.Execute(quiet=True, resume=len(sys.argv) > 1)
'''


def test_a_stopped_script_resumes_to_what_an_uninterrupted_run_writes(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "resumable.py"
    script.write_text(RESUMABLE_SCRIPT)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    whole.mkdir()
    parts.mkdir()
    subprocess.run([sys.executable, str(script)], cwd=whole, check=True)
    run = subprocess.Popen([sys.executable, str(script)], cwd=parts, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        if (parts / "out.h5.partial").exists():
            break
        time.sleep(0.05)
    time.sleep(0.8)
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 75, run.stderr.read()
    stopped = len(mpitray.FrameFile(str(parts / "out.h5")))
    resumed = subprocess.run([sys.executable, str(script), "resume"], cwd=parts, stderr=subprocess.PIPE, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "going on from checkpoint" in resumed.stderr, resumed.stderr
    def contents(frame):
        return frame.Stop, {key: repr(np.asarray(frame[key]).tolist()) if hasattr(frame[key], "__len__")
                            else repr(frame[key]) for key in frame.keys()}

    expected = [contents(f) for f in mpitray.FrameFile(str(whole / "out.h5"))]
    got = [contents(f) for f in mpitray.FrameFile(str(parts / "out.h5"))]
    assert 0 < stopped < len(expected)
    assert got == expected
    assert os.path.exists(parts / "out.h5") and not os.path.exists(parts / "out.h5.partial")
