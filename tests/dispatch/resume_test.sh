#!/usr/bin/env bash
# Resuming (docs/user-guide.md, "Resuming a run"): a run with Dispatch (drops, splits, metadata
# frames that change mid-stream, summaries before, inside and after the Dispatch, a Writer and a
# TableWriter after it) on RANKS ranks,
# stopped by SIGTERM at 5 points and killed with SIGKILL (every process) at 5 more, each resumed,
# sometimes on another number of ranks: every output equals the serial run's (mpitray diff, and
# every table's rows).
# Then what a resume must refuse, without changing the file: another seed, another pipeline, a
# damaged partial file; and a complete run is left alone. Then packets skipped with a failure
# log, stopped and killed.
#
# usage: resume_test.sh MPITRAY SOURCE_DIR WORK_DIR RANKS CASE
set -uo pipefail
mpitray=$1 src=$2 work=$3 ranks=$4
pipelines=$src/tests/dispatch/pipelines
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

sets=(--set Generator.events=1500 --set Work.mean_ms=2)
run=(run "$pipelines/resume.yaml" -q "${sets[@]}" --set Dispatch.checkpoint_seconds=0.25)
"$mpitray" run "$pipelines/resume_inline.yaml" -q "${sets[@]}" --set Writer.file=serial.h5 \
  --set TableWriter.file=serial_tables.h5 || exit 1
same_tables() {  # same_tables A B: every table of A has the rows of B's, and B has no other
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    assert sorted(a) == sorted(b), (sorted(a), sorted(b))
    for name in a:
        assert np.array_equal(a[name][()], b[name][()]), f"table {name} differs"
PY
}

resume_ranks=(3 1 2 5 "$ranks")
interrupted=0
for i in 0 1 2 3 4 5 6 7 8 9; do
  out=$work/out_$i.h5
  delay=$(awk -v i=$i 'BEGIN { printf "%.2f", 0.7 + 0.55 * (i % 5) }')
  tables=(--set TableWriter.file="$work/tables_$i.h5")
  mpirun -n "$ranks" "$mpitray" "${run[@]}" --set Writer.file="$out" "${tables[@]}" 2>"run_$i.log" &
  job=$!
  sleep "$delay"
  if [ $i -lt 5 ]; then
    how=SIGTERM
    kill -TERM $job
  else
    how=SIGKILL
    pkill -KILL -f "Writer.file=$out"  # mpirun and every rank at once
    killed_at=$(date +%s.%N)
  fi
  wait $job 2>/dev/null
  if [ -f "$out.partial" ] || grep -q "stopped by SIGTERM" "run_$i.log"; then
    interrupted=$((interrupted + 1))
  fi
  redone=""
  if [ $i -ge 5 ] && [ -f "$out.partial" ]; then
    # The work a kill loses is what was done after the last checkpoint: its age when the kill came.
    age=$(/usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1], 'r', swmr=True); \
print(float(sys.argv[2]) - f['checkpoints/rows'][-1]['written_unix_ns'] / 1e9)" "$out.partial" "$killed_at") ||
      { echo "FAIL: cannot read the checkpoints of $out.partial"; exit 1; }
    awk -v a="$age" 'BEGIN { exit !(a >= 0 && a < 0.25 + 1.0) }' ||
      { echo "FAIL: the last checkpoint was ${age}s old when the run was killed (every 0.25 s asked)"; exit 1; }
    redone=" (its last checkpoint was $(printf %.2f "$age") s old)"
  fi
  n=${resume_ranks[$((i % 5))]}
  launcher=(mpirun -n "$n")
  [ "$n" = 1 ] && launcher=()
  "${launcher[@]}" "$mpitray" "${run[@]}" --set Writer.file="$out" "${tables[@]}" --resume 2>"resume_$i.log" ||
    { cat "run_$i.log" "resume_$i.log"; echo "FAIL: resume $i failed"; exit 1; }
  "$mpitray" diff serial.h5 "$out" >/dev/null ||
    { cat "resume_$i.log"; echo "FAIL: $how after ${delay}s, resumed on $n rank(s): the output differs"; exit 1; }
  same_tables serial_tables.h5 "tables_$i.h5" ||
    { echo "FAIL: $how after ${delay}s, resumed on $n rank(s): the tables differ"; exit 1; }
  echo "$how after ${delay}s$redone, resumed on $n rank(s): $(grep -o 'resume: .*' "resume_$i.log") -> identical"
done
[ $interrupted -ge 6 ] || { echo "FAIL: only $interrupted of 10 runs were interrupted before they ended"; exit 1; }

# What must be refused, leaving the file as it was.
mpirun -n "$ranks" "$mpitray" "${run[@]}" --set Writer.file=stopped.h5 --set TableWriter.file=stopped_tables.h5 \
  2>/dev/null &
job=$!
sleep 1
kill -TERM $job
wait $job 2>/dev/null
[ -f stopped.h5 ] || { echo "FAIL: the run to refuse to resume left no stopped.h5"; exit 1; }
before=$(md5sum stopped.h5)
refuse() {  # refuse WHAT EXPECTED-MESSAGE COMMAND...
  local what=$1 expected=$2
  shift 2
  "$@" 2>refused.log
  local code=$?
  [ $code = 2 ] || { cat refused.log; echo "FAIL: resume with $what: exit $code, not 2"; exit 1; }
  grep -q "$expected" refused.log || { cat refused.log; echo "FAIL: resume with $what does not say '$expected'"; exit 1; }
  echo "refused ($what): $(grep -o 'error: .*' refused.log | cut -c1-150)"
}
refuse "another seed" "seed 2027, not 5" "$mpitray" "${run[@]}" --set Writer.file=stopped.h5 \
  --set TableWriter.file=stopped_tables.h5 --seed 5 --resume
refuse "another pipeline" "another pipeline" "$mpitray" run "$pipelines/summaries_faults.yaml" -q \
  --set Writer.file=stopped.h5 --resume
[ "$(md5sum stopped.h5)" = "$before" ] || { echo "FAIL: a refused resume changed stopped.h5"; exit 1; }
# A partial file cut in half: unreadable, so nothing is resumed and it stays.
cp out_9.h5 damaged.h5 && size=$(stat -c %s damaged.h5) && truncate -s $((size / 2)) damaged.h5 &&
  mv damaged.h5 damaged.h5.partial || exit 1
before=$(md5sum damaged.h5.partial)
refuse "a damaged partial file" "cannot resume from 'damaged.h5.partial'" "$mpitray" "${run[@]}" \
  --set Writer.file=damaged.h5 --set TableWriter.file=tables_9.h5 --resume
[ "$(md5sum damaged.h5.partial)" = "$before" ] || { echo "FAIL: a refused resume changed the damaged file"; exit 1; }
# A complete run is left alone.
before=$(md5sum out_0.h5)
"$mpitray" "${run[@]}" --set Writer.file="$work/out_0.h5" --set TableWriter.file="$work/tables_0.h5" --resume \
  2>complete.log || { cat complete.log; exit 1; }
grep -q "is complete" complete.log || { cat complete.log; echo "FAIL: no word that the run is complete"; exit 1; }
[ "$(md5sum out_0.h5)" = "$before" ] || { echo "FAIL: resuming a complete run changed it"; exit 1; }
# Packets skipped (on_error: skip) every 40 events, with their failure log: stopped (and the
# resume stopped again while it replays its input) or killed, then resumed, the output and the
# log equal the uninterrupted run's, and every skipped packet is counted and logged once.
faults=(run "$pipelines/summaries_faults.yaml" -q --set Dispatch.checkpoint_seconds=0.25 --set Fail.every=40)
mpirun -n "$ranks" "$mpitray" "${faults[@]}" --set Writer.file="$work/skip_whole.h5" \
  --set Dispatch.failure_log="$work/log_whole.h5" 2>/dev/null || exit 1
same_skips() {  # same_skips OUT LOG: equal to the uninterrupted run's output and failure log
  "$mpitray" diff skip_whole.h5 "$1" >/dev/null || { echo "FAIL: $1 differs from the uninterrupted run"; exit 1; }
  "$mpitray" diff log_whole.h5 "$2" >/dev/null || { echo "FAIL: the failure log $2 differs"; exit 1; }
  /usr/bin/python3 - "$1" "$2" <<'PY' || exit 1
import re, sys, h5py
def positions(log):  # the input positions of the failures (packet numbers and ranks may differ)
    return sorted(int(p) for p in re.findall(r"from input position (\d+)", log.attrs["failures"]))
with h5py.File("skip_whole.h5", "r") as a, h5py.File(sys.argv[1], "r") as b, \
     h5py.File("log_whole.h5", "r") as la, h5py.File(sys.argv[2], "r") as lb:
    for f in (a, b, la, lb):
        assert f.attrs["status"] == "complete", (f.filename, f.attrs["status"])
    skipped = {f.filename: int(f.attrs["skipped_packets"]) for f in (a, b, la, lb)}
    assert len(set(skipped.values())) == 1 and skipped[a.filename] >= 10, skipped
    count = skipped[a.filename]
    assert positions(la) == positions(lb) and len(positions(la)) == count, (positions(la), positions(lb))
print(f"{sys.argv[1]}: {count} skipped packets, each counted and logged once")
PY
}
mpirun -n "$ranks" "$mpitray" "${faults[@]}" --set Writer.file="$work/skip.h5" \
  --set Dispatch.failure_log="$work/log.h5" 2>skip_run.log &
job=$!
sleep 1.2  # well before its end: the resume below must have work left when it is stopped
kill -TERM $job
wait $job 2>/dev/null
grep -q "skipped packet" skip_run.log || { cat skip_run.log; echo "FAIL: no packet was skipped before the stop"; exit 1; }
[ -f skip.h5 ] || { cat skip_run.log; echo "FAIL: the run with skipped packets ended before the stop"; exit 1; }
mpirun -n "$ranks" "$mpitray" "${faults[@]}" --set Writer.file="$work/skip.h5" \
  --set Dispatch.failure_log="$work/log.h5" --resume 2>skip_resume1.log &
job=$!
sleep 0.3
kill -TERM $job
wait $job 2>/dev/null
mpirun -n "$ranks" "$mpitray" "${faults[@]}" --set Writer.file="$work/skip.h5" \
  --set Dispatch.failure_log="$work/log.h5" --resume 2>skip_resume2.log ||
  { cat skip_resume1.log skip_resume2.log; echo "FAIL: resuming the run with skipped packets"; exit 1; }
same_skips skip.h5 log.h5
mpirun -n "$ranks" "$mpitray" "${faults[@]}" --set Writer.file="$work/skip_killed.h5" \
  --set Dispatch.failure_log="$work/log_killed.h5" 2>/dev/null &
job=$!
sleep 2
pkill -KILL -f "Writer.file=$work/skip_killed.h5"
wait $job 2>/dev/null
[ -f log_killed.h5.partial ] || { echo "FAIL: the killed run with skipped packets left no partial failure log"; exit 1; }
mpirun -n 2 "$mpitray" "${faults[@]}" --set Writer.file="$work/skip_killed.h5" \
  --set Dispatch.failure_log="$work/log_killed.h5" --resume 2>skip_killed_resume.log ||
  { cat skip_killed_resume.log; echo "FAIL: resuming the killed run with skipped packets"; exit 1; }
same_skips skip_killed.h5 log_killed.h5
echo "PASS: $interrupted of 10 runs interrupted and resumed identical to the serial run; refusals change nothing"
