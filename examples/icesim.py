"""The icesim demo campaign (examples/icesim.yaml) as a Python script, with a Python module and a
function in the inner section:

    PYTHONPATH=build/python /usr/bin/python3 examples/icesim.py [EVENTS]
    PYTHONPATH=build/python mpirun -n 4 /usr/bin/python3 examples/icesim.py [EVENTS]

The C++ modules come by name; EnergyBin (a Python module) notes each muon's decade of energy, and
a lambda keeps the muons above an energy cut. docs/python.md is the guide.
"""
import math
import sys

import mpitray


class EnergyBin(mpitray.Module):
    """puts the decade of the muon's energy into each Q frame: 2 for 100 GeV to 1 TeV"""

    def __init__(self, context):
        super().__init__(context)
        self.AddParameter("output", "key of the bin", "EnergyDecade")

    def Configure(self):
        self.output = self.GetParameter("output")

    def DAQ(self, frame):
        frame[self.output] = int(math.floor(math.log10(frame["MCMuon"].energy)))
        self.PushFrame(frame)


events = int(sys.argv[1]) if len(sys.argv) > 1 else 500

tray = mpitray.Tray(seed=2026)
tray.AddModule("IceSimSource", events=events, status_every=250, gamma=2.0, emin_gev=100, emax_gev=1e6)
inner = mpitray.Section()
inner.AddModule(lambda frame: frame["MCMuon"].energy >= 150, "energy_cut", Streams=[mpitray.Stop.DAQ])
inner.AddModule(EnergyBin)
inner.AddModule("PhotonPropagator", max_photons=200000)
inner.AddModule("HitMaker")
inner.AddModule("Trigger")
inner.AddModule("LineFit")
tray.AddModule("Dispatch", inner=inner)
tray.AddModule("Writer", file="icesim_python.h5")
tray.AddModule("TableWriter", "PhysicsTables", file="icesim_python_tables.h5", keys=["MCMuon", "LineFit", "Trigger"])
tray.Execute()
