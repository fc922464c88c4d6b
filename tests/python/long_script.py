"""A long Python tray (10 ms per event, a Python module in Dispatch) for signal_test.sh: writes argv[1]."""
import sys

import mpitray


class Note(mpitray.Module):
    def Physics(self, frame):
        frame["Noted"] = True
        self.PushFrame(frame)


tray = mpitray.Tray(seed=1)
tray.AddModule("Generator", events=100000, payload_bytes=16)
inner = mpitray.Section()
inner.AddModule(Note)
inner.AddModule("Work", mode="sleep", cost="fixed", mean_ms=10)
tray.AddModule("Dispatch", inner=inner)
tray.AddModule("Writer", file=sys.argv[1])
try:
    tray.Execute(quiet=True)
except SystemExit as ended:
    print(f"Execute ended the script with exit code {ended.code}", flush=True)
    raise
