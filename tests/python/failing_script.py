"""A Python tray that goes wrong on the worker ranks, for failure_test.sh:

    python3 failing_script.py CASE OUT.h5

exception: a Python module in Dispatch raises on event 7; skip: the same with on_error skip;
bad_parameter: a Python module's parameter gets a value of the wrong type; unstorable: a function
puts a value no frame can store.
"""
import sys

import mpitray


class Explode(mpitray.Module):
    """raises on one event"""

    def __init__(self, context):
        super().__init__(context)
        self.AddParameter("event", "the event to fail on", 7)

    def Configure(self):
        self.event = self.GetParameter("event")

    def Physics(self, frame):
        if frame["EventHeader"].event == self.event:
            raise ValueError(f"cannot handle event {self.event}")
        self.PushFrame(frame)


case, output = sys.argv[1], sys.argv[2]
tray = mpitray.Tray(seed=1)
tray.AddModule("Generator", events=30)
inner = mpitray.Section()
if case == "bad_parameter":
    inner.AddModule(Explode, event="seven")
elif case == "unstorable":
    inner.AddModule(lambda frame: frame.Put("Set", {1, 2}))
else:
    inner.AddModule(Explode)
options = {"on_error": "skip", "failure_log": output + ".skipped.h5"} if case == "skip" else {}
tray.AddModule("Dispatch", inner=inner, **options)
tray.AddModule("Writer", file=output)
tray.Execute(quiet=True)
