#!/usr/bin/env bash
# A Python script with a Python module and a function inside Dispatch (pipeline_script.py) writes
# the same frame file at RANKS ranks as its serial form does.
#
# usage: equivalence_test.sh MPITRAY SOURCE_DIR WORK_DIR RANKS   (PYTHONPATH finds mpitray)
set -uo pipefail
mpitray=$1 src=$2 work=$3 ranks=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
script=$src/tests/python/pipeline_script.py
/usr/bin/python3 "$script" serial.h5 serial || { echo "FAIL: the serial script"; exit 1; }
mpirun -n "$ranks" /usr/bin/python3 "$script" dispatch.h5 || { echo "FAIL: the script at $ranks ranks"; exit 1; }
"$mpitray" diff serial.h5 dispatch.h5 || { echo "FAIL: $ranks ranks wrote other frames than serial"; exit 1; }
# Not vacuous: the Python module's keys are there and the function dropped some events.
/usr/bin/python3 - <<'PY' || exit 1
import mpitray
frames = list(mpitray.FrameFile("dispatch.h5"))
physics = [f for f in frames if f.Stop == mpitray.Stop.Physics]
assert 0 < len(physics) < 150, len(physics)
assert all("SmearedEnergy" in f and f["SmearedEnergy"] > 5.0 for f in physics)
assert [f["CalibrationsSeen"] for f in frames if f.Stop == "C"] == [1, 2, 3, 4], "metadata changed on every rank"
print(f"{len(physics)} of 150 events kept, each with its SmearedEnergy")
summary = frames[-1]
assert summary.Stop == "Z" and summary["SummaryOf"] == "smear", summary
assert summary["events"] == {"kind": "count", "value": 150}, summary["events"]
spectrum = summary["smeared_energy"]
assert spectrum["counts"].sum() + spectrum["flow_counts"].sum() == 150 and len(spectrum["edges"]) == 21
assert abs(spectrum["sumw"].sum() + spectrum["flow_sumw"].sum() - summary["smear_factors"]["sumw"]) < 1e-9
print(f"the module's summaries: {summary['events']['value']} events, sum of factors {summary['smear_factors']['sumw']:.6f}")
PY
echo "PASS: python equivalence at $ranks ranks"
