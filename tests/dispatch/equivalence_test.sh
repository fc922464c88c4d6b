#!/usr/bin/env bash
# Serial equivalence: a pipeline run with Dispatch on RANKS MPI ranks writes a file identical
# (mpitray diff) to the same modules run serially without Dispatch.
#
# usage: equivalence_test.sh MPITRAY SOURCE_DIR WORK_DIR RANKS CASE
set -uo pipefail
mpitray=$1 src=$2 work=$3 ranks=$4 case=$5
pipelines=$src/tests/dispatch/pipelines
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

both=()      # --set for both runs
dispatch=()  # --set for the Dispatch run only
case $case in
  dynamic) ;;
  round_robin) dispatch=(--set Dispatch.schedule=round-robin) ;;
  credits1_window1) dispatch=(--set Dispatch.credits=1 --set Dispatch.window=1) ;;
  few_packets) both=(--set Generator.events=2) ;;          # fewer packets than workers
  zero_events) both=(--set Generator.events=0) ;;          # only metadata
  empty_results) both=(--set Filter.stops=[Q,P] --set Filter.drop_every=1) ;;  # every packet yields nothing
  straggler) both=(--set Generator.metadata_every=0 --set Work.mode=sleep --set Work.cost=fixed --set Work.mean_ms=2
                   --set Work.slow_event=10 --set Work.slow_ms=1500 --set Work.stops=[Q])
             dispatch=(--set Dispatch.window=6 --metrics metrics.json) ;;
  interleaved) ;;
  finish_frames) ;;
  qdrop) ;;
  paired) ;;
  two_stages) ;;
  slices) ;;
  memory) ;;
  *) echo "unknown case $case"; exit 2 ;;
esac

if [ "$case" = qdrop ] || [ "$case" = paired ] || [ "$case" = two_stages ]; then
  # CASE.yaml against CASE_inline.yaml (the same modules without Dispatch).
  "$mpitray" run "$pipelines/${case}_inline.yaml" -q --set Writer.file=serial.h5 || exit 1
  mpirun -n "$ranks" "$mpitray" run "$pipelines/$case.yaml" -q --set Writer.file=dispatch.h5 || exit 1
  "$mpitray" diff serial.h5 dispatch.h5 || { echo "FAIL: $ranks ranks differ from the serial run"; exit 1; }
  if [ "$case" = two_stages ]; then  # both stages round-robin too
    mpirun -n "$ranks" "$mpitray" run "$pipelines/$case.yaml" -q --set Writer.file=round_robin.h5 \
      --set sim.schedule=round-robin --set reco.schedule=round-robin || exit 1
    "$mpitray" diff serial.h5 round_robin.h5 || { echo "FAIL: $ranks ranks, round-robin, differ from the serial run"; exit 1; }
  fi
  if [ "$ranks" = 1 ]; then  # and without mpirun at all
    "$mpitray" run "$pipelines/$case.yaml" -q --set Writer.file=plain.h5 || exit 1
    "$mpitray" diff serial.h5 plain.h5 || { echo "FAIL: the in-process run differs from the serial run"; exit 1; }
  fi
  echo "PASS: $case at $ranks ranks"
  exit 0
fi
if [ "$case" = slices ]; then
  # A sample cut into slices (Generator.first_event), each run on its own with Dispatch, one of
  # them in-process without mpirun, merged: the bytes of the whole sample run serially at once.
  # Cuts fall inside a metadata interval (37, 60) and on its edge (75, metadata_every 25).
  "$mpitray" run "$pipelines/equivalence_inline.yaml" -q --set Writer.file=serial.h5 || exit 1
  slice() {  # FIRST EVENTS FILE [launcher...]
    local first=$1 events=$2 file=$3; shift 3
    "$@" "$mpitray" run "$pipelines/equivalence.yaml" -q --set Generator.first_event=$first \
      --set Generator.events=$events --set Writer.file=$file || { echo "FAIL: slice from event $first"; exit 1; }
  }
  slice 0 37 slice1.h5 mpirun -n "$ranks"
  slice 37 23 slice2.h5
  slice 60 15 slice3.h5 mpirun -n "$ranks"
  slice 75 45 slice4.h5 mpirun -n "$ranks"
  "$mpitray" merge merged.h5 slice1.h5 slice2.h5 slice3.h5 slice4.h5 || exit 1
  "$mpitray" diff serial.h5 merged.h5 || { echo "FAIL: slices at $ranks ranks, merged, differ from the whole sample"; exit 1; }
  echo "PASS: $case at $ranks ranks"
  exit 0
fi
if [ "$case" = memory ]; then
  for events in 1000 4000; do
    mpirun -n "$ranks" "$mpitray" run "$pipelines/memory.yaml" -q --set Generator.events=$events --metrics m$events.json || exit 1
  done
  /usr/bin/python3 - <<'PY' || exit 1
import json
small, large = (json.load(open(f"m{n}.json"))["dispatcher"]["peak_rss_bytes"] for n in (1000, 4000))
print(f"rank 0 peak RSS: {small / 1e6:.1f} MB at 1000 events, {large / 1e6:.1f} MB at 4000")
assert large < small * 1.25 + 5e6, "rank 0's memory grows with the number of events"
PY
  echo "PASS: $case at $ranks ranks"
  exit 0
fi
if [ "$case" = finish_frames ]; then
  # Not serial-equivalent by nature (one Finish per worker): checked against the metrics instead.
  mpirun -n "$ranks" "$mpitray" run "$pipelines/finish_frames.yaml" -q --metrics metrics.json || exit 1
  workers=$(( ranks > 1 ? ranks - 1 : 1 ))
  # The output ends with the workers' count frames, in rank order: the k-th counted as many Q
  # frames as the k-th worker (by rank) processed packets, according to the metrics.
  "$mpitray" dump out.h5 --values > dump.txt || exit 1
  /usr/bin/python3 - "$workers" <<'PY' || exit 1
import json, re, sys
workers = int(sys.argv[1])
m = json.load(open("metrics.json"))
rows = [l.split() for l in open("dump.txt").read().splitlines()[2:]]
stops = [r[1] for r in rows if r and r[0].isdigit()]
assert stops[-workers:] == ["I"] * workers, f"the output does not end with {workers} count frames: {stops[-6:]}"
assert "I" not in stops[:-workers], "a count frame came before the end"
counted_q = [int(float(re.search(r"Q: ([0-9.e+]+)", l).group(1))) for l in open("dump.txt") if " Counts " in l]
packets = [w["packets"] for w in sorted(m["workers"], key=lambda w: w["rank"])]
assert counted_q == packets, f"count frames {counted_q} are not in worker-rank order of packets {packets}"
print(f"finish frames: {workers} count frames at the end, in rank order: {counted_q}")
PY
  if [ "$ranks" = 1 ]; then
    # One worker: the frames made in Finish (and what later modules draw for them) are the
    # serial run's, byte for byte.
    "$mpitray" run "$pipelines/finish_frames_inline.yaml" -q --set Writer.file=serial.h5 || exit 1
    "$mpitray" diff serial.h5 out.h5 || { echo "FAIL: one rank differs from the serial run"; exit 1; }
  fi
  echo "PASS: $case at $ranks ranks"
  exit 0
fi

if [ "$case" = interleaved ]; then
  # Metadata between Q frames and their P frames, read from a file.
  "$mpitray" run "$pipelines/interleaved_source.yaml" -q || exit 1
  /usr/bin/python3 "$src/tests/dispatch/reorder_frames.py" source.h5 interleaved.h5 || exit 1
  "$mpitray" run "$pipelines/interleaved_inline.yaml" -q --set Writer.file=serial.h5 || exit 1
  mpirun -n "$ranks" "$mpitray" run "$pipelines/interleaved.yaml" -q --set Writer.file=dispatch.h5 || exit 1
  "$mpitray" diff serial.h5 dispatch.h5 || { echo "FAIL: $ranks ranks differ from the serial run"; exit 1; }
  echo "PASS: $case at $ranks ranks"
  exit 0
fi

"$mpitray" run "$pipelines/equivalence_inline.yaml" -q "${both[@]}" --set Writer.file=serial.h5 || exit 1
mpirun -n "$ranks" "$mpitray" run "$pipelines/equivalence.yaml" -q "${both[@]}" "${dispatch[@]}" --set Writer.file=dispatch.h5
code=$?
[ $code -eq 0 ] || { echo "FAIL: mpirun -n $ranks exited $code"; exit 1; }
"$mpitray" diff serial.h5 dispatch.h5 || { echo "FAIL: $ranks ranks differ from the serial run"; exit 1; }

if [ "$case" = dynamic ] && [ "$ranks" = 1 ]; then
  # Without mpirun at all, Dispatch runs its inner section in-process: the same file again.
  "$mpitray" run "$pipelines/equivalence.yaml" -q --set Writer.file=plain.h5 || exit 1
  "$mpitray" diff serial.h5 plain.h5 || { echo "FAIL: the in-process run differs"; exit 1; }
fi
if [ "$case" = straggler ]; then
  /usr/bin/python3 - <<'PY' || exit 1
import json
m = json.load(open("metrics.json"))
d = m["dispatcher"]
assert d["peak_reorder_slots"] <= 6, f"the reorder buffer left its window: {d['peak_reorder_slots']} slots > 6"
assert d["packets"] == 120, d
spans = {s["seq"]: s for s in m["timeline"]}
print(f"straggler: peak reorder {d['peak_reorder_slots']} slots (window 6), {len(spans)} packets in the timeline")
PY
fi
echo "PASS: $case at $ranks ranks"
