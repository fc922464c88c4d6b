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
  # A long event near the end, a packet waiting behind it: an idle worker takes that packet over.
  take_back) both=(--set Generator.metadata_every=0 --set Work.mode=sleep --set Work.cost=fixed --set Work.mean_ms=2
                   --set Work.slow_event=100 --set Work.slow_ms=700 --set Work.stops=[Q])
             dispatch=(--set Dispatch.batch=1 --metrics metrics.json) ;;
  large_payloads) both=(--set Generator.payload_bytes=100000) ;;  # payloads sent from where they are (gaps)
  interleaved) ;;
  finish_frames) ;;
  qdrop) ;;
  paired) ;;
  two_stages) ;;
  summaries) ;;
  slices) ;;
  memory) ;;
  stop_at_end) ;;
  *) echo "unknown case $case"; exit 2 ;;
esac

if [ "$case" = stop_at_end ]; then
  # Both runs ask themselves to stop at the last event. The serial run has done it all by then
  # (complete); the Dispatch sends nothing after a stop, so its run leaves that event out and must
  # say so: stopped (exit 75), never complete (it said complete before).
  "$mpitray" run "$pipelines/${case}_inline.yaml" -q --set Writer.file=serial.h5 2>serial.log || { cat serial.log; exit 1; }
  mpirun -n "$ranks" "$mpitray" run "$pipelines/$case.yaml" -q --set Writer.file=dispatch.h5 2>dispatch.log
  code=$?
  grep -q "stopped by SIGTERM after" dispatch.log && [ $code = 75 ] ||
    { cat dispatch.log; echo "FAIL: the run that left the last event out exited $code, not 75 (stopped)"; exit 1; }
  "$mpitray" dump dispatch.h5 --limit 0 | grep -q "status stopped" ||
    { "$mpitray" dump dispatch.h5 --limit 0; echo "FAIL: the output that lacks the last event is not marked stopped"; exit 1; }
  "$mpitray" diff serial.h5 dispatch.h5 >/dev/null && { echo "FAIL: the stopped run wrote the last event after all"; exit 1; }
  echo "PASS: $case at $ranks ranks: a stop at the last event that left it out is marked stopped, not complete"
  exit 0
fi

if [ "$case" = qdrop ] || [ "$case" = paired ] || [ "$case" = two_stages ] || [ "$case" = summaries ]; then
  # CASE.yaml against CASE_inline.yaml (the same modules without Dispatch).
  "$mpitray" run "$pipelines/${case}_inline.yaml" -q --set Writer.file=serial.h5 || exit 1
  mpirun -n "$ranks" "$mpitray" run "$pipelines/$case.yaml" -q --set Writer.file=dispatch.h5 || exit 1
  "$mpitray" diff serial.h5 dispatch.h5 || { echo "FAIL: $ranks ranks differ from the serial run"; exit 1; }
  round_robin=()
  [ "$case" = two_stages ] && round_robin=(--set sim.schedule=round-robin --set reco.schedule=round-robin)
  [ "$case" = summaries ] && round_robin=(--set Dispatch.schedule=round-robin)
  if [ ${#round_robin[@]} -gt 0 ]; then  # every stage round-robin too
    mpirun -n "$ranks" "$mpitray" run "$pipelines/$case.yaml" -q --set Writer.file=round_robin.h5 "${round_robin[@]}" || exit 1
    "$mpitray" diff serial.h5 round_robin.h5 || { echo "FAIL: $ranks ranks, round-robin, differ from the serial run"; exit 1; }
  fi
  if [ "$case" = summaries ]; then
    # Not vacuous: one summary frame per Histogram, at the end, and the metadata histogram
    # counted each G, C and D frame of the output once (not once per worker).
    "$mpitray" dump dispatch.h5 --values > dump.txt || exit 1
    /usr/bin/python3 - <<'PY' || exit 1
import re
rows = [l.split() for l in open("dump.txt").read().splitlines()[2:]]
stops = [r[1] for r in rows if r and r[0].isdigit()]
modules = re.findall(r'SummaryOf +string +[0-9]+ +"([^"]+)"', open("dump.txt").read())
assert modules == ["SourceEnergy", "StampCount", "WeightedEnergy", "Metadata", "After"], modules
assert stops[-5:] == ["Z"] * 5 and "Z" not in stops[:-5], stops[-8:]
text = open("dump.txt").read()
meta = re.search(r'"Metadata"\n +frames +Summary +[0-9]+ +count ([0-9]+)', text)
expected = sum(s in "GCD" for s in stops)
assert meta and int(meta.group(1)) == expected, f"metadata frames counted {meta and meta.group(1)}, output has {expected}"
print(f"summaries: {len(modules)} summary frames; {expected} metadata frames counted once each")
PY
    # The same summaries as plain datasets, read with h5py alone.
    /usr/bin/python3 - <<'PY' || exit 1
import h5py, numpy as np
with h5py.File("dispatch.h5", "r") as f:
    s = f["summaries"]
    assert sorted(s) == sorted(["SourceEnergy", "StampCount", "WeightedEnergy", "Metadata", "After"]), list(s)
    h = s["WeightedEnergy/histogram"]
    assert h.attrs["kind"] == "histogram" and s["WeightedEnergy/frames"].attrs["kind"] == "count"
    assert np.allclose(h["edges"][()], np.linspace(0, 50, 26)), h["edges"][()]
    assert h["counts"].shape == (25,) and h["flow_counts"].shape == (2,)
    frames = int(s["WeightedEnergy/frames"][()])
    assert int(h["counts"][()].sum() + h["flow_counts"][()].sum()) == frames, "fills do not add up to the frames"
    assert np.all(h["sumw2"][()] <= h["sumw"][()] + 1e-12), "stamps are in [0, 1): w^2 <= w"
    print(f"h5py: {frames} fills of WeightedEnergy, sum of weights {h['sumw'][()].sum() + h['flow_sumw'][()].sum():.6g}")
PY
    # Slices of the sample, each run on its own (one without mpirun), merged: the summaries of
    # the whole sample, byte for byte. Every slice starts with its own copy of the metadata
    # frames, so a summary over them counts each copy: the Metadata histogram counts Q frames here.
    events_only=(--set Metadata.stops=[Q])
    "$mpitray" run "$pipelines/${case}_inline.yaml" -q "${events_only[@]}" --set Writer.file=whole.h5 || exit 1
    for part in "0 50 mpirun -n $ranks" "50 37" "87 63 mpirun -n $ranks"; do
      set -- $part
      first=$1 events=$2; shift 2
      "$@" "$mpitray" run "$pipelines/$case.yaml" -q --set Generator.first_event=$first --set Generator.events=$events \
        "${events_only[@]}" --set Writer.file=slice_$first.h5 || exit 1
    done
    "$mpitray" merge merged.h5 slice_0.h5 slice_50.h5 slice_87.h5 || exit 1
    "$mpitray" diff whole.h5 merged.h5 || { echo "FAIL: slices at $ranks ranks, merged, differ from the whole sample"; exit 1; }
    # The summaries count what the output holds, no more: with a packet skipped after the
    # histograms filled (summaries_faults.yaml), and in a run stopped by SIGTERM mid-run.
    faults=$pipelines/summaries_faults.yaml
    mpirun -n "$ranks" "$mpitray" run "$faults" -q --set Writer.file=skipped.h5 --set Generator.events=100 2>skip.log ||
      { cat skip.log; echo "FAIL: the run with a skipped packet"; exit 1; }
    grep -q "skipped packet" skip.log || { echo "FAIL: no packet was skipped"; exit 1; }
    # The failing event the last of the input: what it filled must not reach the end's summaries.
    mpirun -n "$ranks" "$mpitray" run "$faults" -q --set Writer.file=last_skipped.h5 --set Generator.events=46 \
      2>last.log || { cat last.log; echo "FAIL: the run whose last packet is skipped"; exit 1; }
    grep -q "skipped packet" last.log || { echo "FAIL: the last packet was not skipped"; exit 1; }
    mpirun -n "$ranks" "$mpitray" run "$faults" -q --set Writer.file=stopped.h5 2>stop.log &
    job=$!
    sleep 1.5
    kill -TERM $job  # mpirun passes it on to rank 0, which stops the run (mpirun's own exit code varies)
    wait $job
    grep -q "stopped by SIGTERM" stop.log || echo "note: the run ended before the signal"
    [ -f stopped.h5 ] || { cat stop.log; echo "FAIL: the stopped run left no stopped.h5"; exit 1; }
    /usr/bin/python3 - skipped.h5 last_skipped.h5 stopped.h5 <<'PY' || exit 1
import sys, h5py
for path in sys.argv[1:]:
    with h5py.File(path, "r") as f:
        stops = [s.decode() for s in f["frames/index"]["stop"]]
        s = f["summaries"]
        physics, metadata = stops.count("P"), sum(x in "GCD" for x in stops)
        for module in ("StampCount", "WeightedEnergy", "After"):
            assert int(s[module + "/frames"][()]) == physics, f"{path}: {module} counted {int(s[module + '/frames'][()])} P frames, the output holds {physics}"
        assert int(s["Metadata/frames"][()]) == metadata, f"{path}: Metadata counted {int(s['Metadata/frames'][()])}, the output holds {metadata}"
        assert f.attrs["status"] in ("complete", "stopped"), f.attrs["status"]
        print(f"{path} ({f.attrs['status']}, {f.attrs['input_frames']} input frames): the summaries count its {physics} P and {metadata} metadata frames")
PY
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
if [ "$case" = take_back ]; then
  # Two or more MPI workers on this host: the packet behind the 0.7 s event moved (and the output
  # above is still the serial one). One worker, or the in-process one: nothing to move it to.
  RANKS=$ranks /usr/bin/python3 - <<'PY' || exit 1
import json, os
ranks = int(os.environ["RANKS"])
d = json.load(open("metrics.json"))["dispatcher"]
if ranks >= 3:
    assert d["taken_back"] >= 1, f"no packet was taken back from behind the long event: {d}"
else:
    assert d["taken_back"] == 0, d
print(f"take_back: {d['taken_back']} packet(s) taken back at {ranks} ranks")
PY
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
