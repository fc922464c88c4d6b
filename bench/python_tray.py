"""The Python rows of scripts/bench (docs/benchmarks.md, "Python modules"):

    python_tray.py cost KIND EVENTS       one process, no Dispatch: Generator -> [KIND] -> Count, where
                                         KIND is none, module (an mpitray.Module that only pushes)
                                         or function (a lambda that keeps every frame); prints the
                                         seconds Execute() took
    python_tray.py work EVENTS METRICS    Generator -> Dispatch[a Python module doing a fixed amount of
                                         pure-Python arithmetic per event]; run under mpirun, the
                                         Dispatch metrics go to METRICS
"""
import sys
import time

import mpitray

WORK_ITERATIONS = 40000  # about 2 ms of CPython arithmetic per event on the test machine


class Pass(mpitray.Module):
    """does nothing but push the frame on"""

    def Physics(self, frame):
        self.PushFrame(frame)


class Arithmetic(mpitray.Module):
    """a fixed amount of pure-Python CPU work per event, holding this interpreter's GIL"""

    def Physics(self, frame):
        total = 0
        for i in range(WORK_ITERATIONS):
            total += i * i % 7
        frame["Work"] = total
        self.PushFrame(frame)


mode = sys.argv[1]
tray = mpitray.Tray(seed=1)
if mode == "cost":
    kind, events = sys.argv[2], int(sys.argv[3])
    tray.AddModule("Generator", events=events, payload_bytes=16, random_payload=False)
    if kind == "module":
        tray.AddModule(Pass)
    elif kind == "function":
        tray.AddModule(lambda frame: True)
    tray.AddModule("Count")
    start = time.monotonic()
    tray.Execute(quiet=True)
    print(f"{time.monotonic() - start:.6f}")
else:
    events, metrics = int(sys.argv[2]), sys.argv[3]
    tray.AddModule("Generator", events=events, payload_bytes=16, random_payload=False)
    inner = mpitray.Section()
    inner.AddModule(Arithmetic)
    tray.AddModule("Dispatch", inner=inner)
    tray.Execute(quiet=True, metrics=metrics)
