"""A Python tray with a Python module and a function in Dispatch's inner section.

    python3 pipeline_script.py OUT.h5 [serial]

writes OUT.h5; `serial` puts the inner section's modules straight into the tray (no Dispatch),
the run every rank count must equal. tests/python/equivalence_test.sh runs it serially and under
mpirun and compares the files with `mpitray diff`.
"""
import sys

import mpitray


class Smear(mpitray.Module):
    """puts a smeared copy of the Energy (framework RNG) into every P frame"""

    def __init__(self, context):
        super().__init__(context)
        self.AddParameter("resolution", "relative resolution of the smearing", 0.1)
        self.AddParameter("output", "key of the smeared energy", "SmearedEnergy")
        # Summaries, merged across the workers into the serial run's.
        self.events = self.Counter("events")
        self.weights = self.WeightedSum("smear_factors")

    def Configure(self):
        self.resolution = self.GetParameter("resolution")
        self.output = self.GetParameter("output")
        self.calibrations = 0
        self.spectrum = self.Histogram("smeared_energy", 20, 0.0, 40.0)

    def Calibration(self, frame):
        self.calibrations += 1
        frame["CalibrationsSeen"] = self.calibrations  # metadata frames change on every rank alike
        self.PushFrame(frame)

    def Physics(self, frame):
        energy = frame["Energy"]
        factor = 1 + self.rng.normal(0, self.resolution)
        frame[self.output] = energy * factor
        self.events.add()
        self.weights.add(factor)
        self.spectrum.fill(energy * factor, weight=factor)
        frame["PayloadSum"] = int(sum(frame["Payload"][:16]))
        self.PushFrame(frame)


def bright(frame, threshold):
    """keeps events whose smeared energy is above the threshold"""
    return frame["SmearedEnergy"] > threshold


output = sys.argv[1]
serial = len(sys.argv) > 2 and sys.argv[2] == "serial"

tray = mpitray.Tray(seed=11)
tray.AddModule("Generator", events=150, metadata_every=40, payload_bytes=64)
inner = tray if serial else mpitray.Section()
inner.AddModule("Stamp", stops=["P"])
inner.AddModule(Smear, "smear", resolution=0.2)
inner.AddModule(bright, threshold=5.0)
inner.AddModule(lambda frame: "Stamp" in frame)  # keeps all: a lambda that returns True
if not serial:
    tray.AddModule("Dispatch", inner=inner)
tray.AddModule("Writer", file=output)
tray.Execute(quiet=True)
