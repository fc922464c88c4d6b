#!/usr/bin/env bash
# Dispatch of frames against the raw MPI farm, and against mpi4py.futures when Debian's
# python3-mpi4py is installed, in the same run: the contenders alternate REPEATS times, so drift
# on a shared machine hits them alike. Prints each run's events/s and the ratios.
#
# usage: bench/dispatch_bench.sh [RANKS] [EVENTS] [FRAME_BYTES] [REPEATS] [RANDOM_PAYLOAD] [COST_MS]
#   RANDOM_PAYLOAD (default false): whether the Generator draws the payload bytes from its RNG,
#   which at 1 MiB costs rank 0 more than dispatching the frame.
#   COST_MS (default 0): a fixed per-event cost, slept by the inner section's Work module and by
#   the farm's workers alike; 0 leaves the inner section empty.
#   (run from the repository after ./scripts/build)
set -euo pipefail
ranks=${1:-3} events=${2:-100000} bytes=${3:-4096} repeats=${4:-3} random=${5:-false} cost=${6:-0}
root=$(cd "$(dirname "$0")/.." && pwd)
mpitray=$root/build/cli/mpitray raw=$root/build/bench/raw_farm
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The Generator's payload is sized so the encoded frame is FRAME_BYTES (the rest is key names,
# the EventHeader, the Energy and the frame's own header). The raw farm sends messages of the
# same total size as mpitray's: the frame plus the 56-byte message header.
payload=$(( bytes > 200 ? bytes - 145 : 0 ))
message=$(( bytes + 56 ))
cat > "$work/empty.yaml" <<YAML
seed: 1
tray:
  - module: Generator
    params: {events: $events, payload_bytes: $payload, random_payload: $random}
  - module: Dispatch
    inner: $( [ "$cost" = 0 ] && echo "[]" || echo "[{module: Work, params: {mode: sleep, mean_ms: $cost}}]" )
YAML
for i in $(seq "$repeats"); do
  mpirun -n "$ranks" "$raw" "$events" "$message" "$cost" sleep | awk '{print "raw", $7}' >> "$work/results"
  if /usr/bin/python3 -c "import mpi4py" 2>/dev/null; then
    mpirun -n "$ranks" /usr/bin/python3 -m mpi4py.futures "$root/bench/mpi4py_farm.py" "$events" "$bytes" "$cost" \
      | awk '{print "mpi4py", $7}' >> "$work/results"
  fi
  mpirun -n "$ranks" "$mpitray" run "$work/empty.yaml" -q --metrics "$work/m.json"
  /usr/bin/python3 -c "import json,sys; d = json.load(open(sys.argv[1]))['dispatcher']; print('mpitray', d['packets_per_second']); print('cpu', d['cpu_seconds'] / d['wall_seconds'])" \
    "$work/m.json" >> "$work/results"
done
/usr/bin/python3 - "$work/results" "$ranks" "$bytes" "$random" "$cost" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
raw = [float(v) for k, v in rows if k == "raw"]
ours = [float(v) for k, v in rows if k == "mpitray"]
cpu = [float(v) for k, v in rows if k == "cpu"]
py = [float(v) for k, v in rows if k == "mpi4py"]
ratios = [o / r for o, r in zip(ours, raw)]
work = "empty inner section" if sys.argv[5] == "0" else f"{sys.argv[5]} ms sleep per event"
print(f"ranks {sys.argv[2]}, {sys.argv[3]}-byte frames ({int(sys.argv[3]) + 56}-byte messages), {work}, "
      f"random payload {sys.argv[4]}, {len(raw)} pairs")
print(f"  raw farm  events/s: " + ", ".join(f"{v:,.0f}" for v in raw))
print(f"  mpitray   frames/s: " + ", ".join(f"{v:,.0f}" for v in ours))
print(f"  ratio mpitray/raw:  min {min(ratios):.3f}  median {statistics.median(ratios):.3f}  max {max(ratios):.3f}")
print(f"  rank 0 CPU / wall:  " + ", ".join(f"{100 * c:.1f}%" for c in cpu))
if py:
    vs = [o / p for o, p in zip(ours, py)]
    print(f"  mpi4py.futures/s:   " + ", ".join(f"{v:,.0f}" for v in py))
    print(f"  ratio mpitray/mpi4py.futures: min {min(vs):.3f}  median {statistics.median(vs):.3f}  max {max(vs):.3f}")
PY
