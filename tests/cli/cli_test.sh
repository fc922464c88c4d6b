#!/usr/bin/env bash
# End-to-end tests of the `mpitray` program: real pipeline runs, the files they write, and the
# exit code and message for each kind of bad input.
#
# usage: cli_test.sh MPITRAY SOURCE_DIR WORK_DIR
set -uo pipefail
mpitray=$1
src=$2
work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

failures=0
passes=0
out=""

# expect CODE PATTERN -- COMMAND...: the command exits with CODE and its output matches PATTERN.
expect() {
  local code=$1 pattern=$2
  shift 3
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -ne "$code" ]; then
    echo "FAIL: '$*' exited $got, expected $code"; echo "$out" | sed 's/^/    /'; failures=$((failures + 1)); return
  fi
  if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: '$*' output does not match /$pattern/"; echo "$out" | sed 's/^/    /'; failures=$((failures + 1)); return
  fi
  passes=$((passes + 1))
}

# check CONDITION-COMMAND... MESSAGE
check() {
  local message=${*: -1}
  if "${@:1:$#-1}"; then passes=$((passes + 1)); else echo "FAIL: $message"; failures=$((failures + 1)); fi
}

status_of() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1])['/'].attrs['status'])" "$1"; }
attr_of() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1])['/'].attrs[sys.argv[2]])" "$1" "$2"; }

pipeline() {  # pipeline NAME YAML: writes NAME.yaml
  printf '%s\n' "$2" > "$1.yaml"
}

# --- the quickstart, inspected and compared ------------------------------------------------------
expect 0 "Writer .* 519 " -- "$mpitray" run "$src/examples/quickstart.yaml" --set Writer.file=q1.h5
check test -f q1.h5 "quickstart writes q1.h5"
check test ! -e q1.h5.partial "no partial file is left after a clean run"
expect 0 "Payload +bytes +1032" -- "$mpitray" dump q1.h5 --limit 5
expect 0 "EventHeader +EventHeader +29  run 1, event 0, sub-event 0" -- "$mpitray" dump q1.h5 --limit 5 --values
expect 0 "h5py: q1.h5: 519 frames, status complete" -- /usr/bin/python3 "$src/tests/io/check_with_h5py.py" q1.h5 complete
expect 0 "^identical: 519 frames" -- bash -c "'$mpitray' run '$src/examples/quickstart.yaml' -q --set Writer.file=q2.h5 && '$mpitray' diff q1.h5 q2.h5"
expect 1 "^differ at frame 3: Q frame: key 'Energy'" -- bash -c "'$mpitray' run '$src/examples/quickstart.yaml' -q --seed 7 --set Writer.file=q3.h5 && '$mpitray' diff q1.h5 q3.h5"
expect 0 "" -- "$mpitray" run "$src/examples/quickstart.yaml" -q --events 10 --set Writer.file=q10.h5
check test "$(status_of q10.h5)" = event_limit "--events 10 marks the file event_limit"
expect 0 "h5py: q10.h5" -- /usr/bin/python3 "$src/tests/io/check_with_h5py.py" q10.h5 event_limit

# --- reading a file back through a pipeline gives the same frames ------------------------------
pipeline copy "tray:
  - module: Reader
    params: {file: q1.h5}
  - module: Writer
    params: {file: copy.h5}"
expect 0 "" -- "$mpitray" run copy.yaml -q
expect 0 "^identical: 519 frames" -- "$mpitray" diff q1.h5 copy.h5

# --- configuration errors: exit 2, one message with file and line --------------------------------
pipeline syntax "tray:
  - module: Generator
    params: {events: [1, 2}"
expect 2 "syntax.yaml:3: YAML syntax error" -- "$mpitray" run syntax.yaml
pipeline unknown_module "tray:
  - module: Generator
  - module: Fitler"
expect 2 "unknown_module.yaml:3: unknown module 'Fitler'; did you mean 'Filter'\\?" -- "$mpitray" run unknown_module.yaml
pipeline unknown_param "tray:
  - module: Generator
    params:
      evnets: 3"
expect 2 "unknown_param.yaml:2: module 'Generator' \\(Generator\\): has no parameter 'evnets' \\(unknown_param.yaml:4\\)" -- "$mpitray" run unknown_param.yaml
pipeline wrong_type "tray:
  - module: Generator
    params:
      events: many"
expect 2 "parameter 'events' expects an integer, got 'many' \\(wrong_type.yaml:4\\)" -- "$mpitray" run wrong_type.yaml
pipeline missing_input "tray:
  - module: Reader
    params: {file: does-not-exist.h5}"
expect 2 "missing_input.yaml:2: module 'Reader' \\(Reader\\): cannot open frame file 'does-not-exist.h5'" -- "$mpitray" run missing_input.yaml
pipeline unwritable "tray:
  - module: Generator
  - module: Writer
    params: {file: /nonexistent-dir/out.h5}"
expect 2 "cannot create output file '/nonexistent-dir/out.h5.partial'" -- "$mpitray" run unwritable.yaml
pipeline no_file_param "tray:
  - module: Generator
  - module: Writer"
expect 2 "needs parameter 'file'" -- "$mpitray" run no_file_param.yaml
pipeline null_file "seed: 1
tray:
  - module: Generator
    params: {events: }
  - module: Writer
    params:
      file:
  - module: Print"
expect 2 "^mpitray: error: null_file.yaml:5: module 'Writer' \\(Writer\\): parameter 'file' is required and cannot be null \\(null_file.yaml:7\\)$" -- "$mpitray" run null_file.yaml
check test "$(wc -l <<<"$out")" -eq 1 "a null required parameter is reported once"
pipeline twice_seed "seed: 1
tray:
  - module: Generator
seed: 2"
expect 2 "twice_seed.yaml:4: 'seed' is given twice \\(first at twice_seed.yaml:1\\)" -- "$mpitray" run twice_seed.yaml
# Pipeline files are UTF-8; what runs is recorded byte for byte in the output's 'pipeline'.
/usr/bin/python3 - <<'PY'
text = "seed: 1\ntray:\n  - module: Generator\n    params: {events: 2}  # caf\u00e9 \u2603\n  - module: Writer\n    params: {file: enc.h5}\n"
open("utf16.yaml", "wb").write(text.encode("utf-16"))  # with a byte order mark
open("utf8bom.yaml", "wb").write(b"\xef\xbb\xbf" + text.encode("utf-8"))
open("latin1.yaml", "wb").write(text.replace("\u2603", "").encode("latin-1"))
PY
expect 2 "^mpitray: error: utf16.yaml: the pipeline file is UTF-16 \\(little-endian, with a byte order mark\\); pipeline files must be UTF-8 text$" -- "$mpitray" run utf16.yaml
check test ! -e enc.h5 -a ! -e enc.h5.partial "a refused pipeline file writes nothing"
expect 2 "^mpitray: error: latin1.yaml:4: the pipeline file has byte 0xe9, which UTF-8 does not allow there" -- "$mpitray" run latin1.yaml
expect 0 "" -- "$mpitray" run utf8bom.yaml -q
check /usr/bin/python3 -c "import h5py,sys; a = h5py.File('enc.h5').attrs['pipeline']; sys.exit(a.encode() != open('utf8bom.yaml', 'rb').read())" \
  "the pipeline attribute is the UTF-8 file byte for byte, byte order mark included"
expect 2 "cannot read pipeline file 'nope.yaml'" -- "$mpitray" run nope.yaml
expect 2 "--set 'Generator' must look like NAME.PARAM=VALUE" -- "$mpitray" run "$src/examples/quickstart.yaml" --set Generator
expect 2 "no module named 'Nope'" -- "$mpitray" run "$src/examples/quickstart.yaml" --set Nope.x=1
expect 2 "" -- "$mpitray" frobnicate
expect 2 "unknown module 'Nope'" -- "$mpitray" modules Nope
check test "$(grep -c "error" <<<"$out")" -eq 1 "a configuration error is printed once"

# --- damaged files: exit 1 at run time, naming the file and frame -------------------------------
"$mpitray" run "$src/examples/quickstart.yaml" -q --set Writer.file=plain.h5 --set Writer.compression=0
/usr/bin/python3 - <<'PY'
import h5py
with h5py.File("plain.h5", "r+") as f:
    row = f["frames/index"][100]
    data = f["frames/data"]
    at = int(row["offset"]) + int(row["length"]) // 2
    data[at] = data[at] ^ 0xFF
PY
pipeline read_plain "tray:
  - module: Reader
    params: {file: plain.h5}
  - module: Writer
    params: {file: from-corrupt.h5}"
expect 1 "'plain.h5', frame 100: checksum mismatch" -- "$mpitray" run read_plain.yaml
check test "$(status_of from-corrupt.h5)" = failed "the output of a failed read is marked failed"
expect 1 "'plain.h5', frame 100: checksum mismatch" -- "$mpitray" dump plain.h5
cp q1.h5 badindex.h5
/usr/bin/python3 -c "
import h5py
with h5py.File('badindex.h5', 'r+') as f:
    row = f['frames/index'][2]
    row['length'], row['checksum'] = 2, 0
    f['frames/index'][2] = row
"
expect 1 "'badindex.h5', frame 2: its index row gives a length of 2 bytes" -- "$mpitray" dump badindex.h5
cp q1.h5 cut.h5 && truncate -s $(( $(stat -c %s q1.h5) / 2 )) cut.h5
expect 2 "cut.h5" -- "$mpitray" diff cut.h5 q1.h5
expect 1 "cut.h5" -- "$mpitray" dump cut.h5

# --- a table file is not a frame file: say what it is and what reads it ---------------------------
pipeline tables "seed: 2
tray:
  - module: Generator
    params: {events: 5}
  - module: TableWriter
    params: {file: tables.h5, keys: [Energy]}"
expect 0 "" -- "$mpitray" run tables.yaml -q
table_says="'tables.h5' is an mpitray table file \\(format 'mpitray table file'\\), not a frame file: mpitray dump, diff, merge and the Reader read frame files only. Read its tables with h5py or pandas"
expect 1 "$table_says" -- "$mpitray" dump tables.h5
expect 2 "$table_says" -- "$mpitray" diff tables.h5 q1.h5
expect 2 "$table_says" -- "$mpitray" diff q1.h5 tables.h5
expect 1 "$table_says" -- "$mpitray" merge m0.h5 tables.h5
check test ! -e m0.h5 -a ! -e m0.h5.partial "merging a table file leaves nothing behind"
pipeline read_tables "tray:
  - module: Reader
    params: {file: tables.h5}"
expect 2 "read_tables.yaml:2: module 'Reader' \\(Reader\\): $table_says" -- "$mpitray" run read_tables.yaml

# --- a module failure: exit 1, output closed, readable, marked failed ---------------------------
pipeline failing "seed: 3
tray:
  - module: Generator
    params: {events: 50}
  - module: Fail
    params: {at: 20}
  - module: Writer
    params: {file: failed.h5}"
expect 1 "module 'Fail' failed on P frame \\(run 1, event 20\\) at input position 23: Fail module: deliberate failure" -- "$mpitray" run failing.yaml
check test "$(grep -c "error" <<<"$out")" -eq 1 "a failure is reported once"
check test "$(status_of failed.h5)" = failed "the failed run's output is marked failed"
check test "$(attr_of failed.h5 frames)" = 23 "the failed run's output holds every frame before the failure"
expect 0 "h5py: failed.h5: 23 frames, status failed" -- /usr/bin/python3 "$src/tests/io/check_with_h5py.py" failed.h5 failed

# --- SIGTERM: a clean stop, exit 128+15, output valid and marked stopped ------------------------
pipeline slow "tray:
  - module: Generator
    params: {events: 100000}
  - module: Work
    params: {mean_ms: 5}
  - module: Writer
    params: {file: stopped.h5}"
"$mpitray" run slow.yaml -q > slow.log 2>&1 &
pid=$!
sleep 1.5
kill -TERM "$pid"
wait "$pid"
code=$?
check test "$code" -eq 75 "a SIGTERM stop exits 75 (got $code)"
check grep -q "stopped by SIGTERM after [0-9]* input frames" slow.log "the stop is reported"
check test "$(status_of stopped.h5)" = stopped "the stopped run's output is marked stopped"
frames=$(attr_of stopped.h5 input_frames)
check test "$frames" -gt 3 -a "$frames" -lt 100003 "input_frames records where it stopped ($frames)"
expect 0 "status stopped" -- /usr/bin/python3 "$src/tests/io/check_with_h5py.py" stopped.h5 stopped

# --- no output is ever left looking complete ----------------------------------------------------
cp q1.h5 crash.h5  # an older, complete file under the name the next run writes
pipeline crash "seed: 1
tray:
  - module: Generator
    params: {events: 50}
  - module: Fail
    params: {at: 20, action: abort}
  - module: Writer
    params: {file: crash.h5}"
"$mpitray" run crash.yaml -q > crash.log 2>&1
check test $? -ne 0 "a run that aborts exits non-zero"
check test ! -e crash.h5 "the older complete file under the output name is gone after a crash"
check test -e crash.h5.partial "a crash leaves only NAME.partial"
pipeline late_error "tray:
  - module: Generator
  - module: Writer
    params: {file: never.h5}
  - module: Work
    params: {mode: jog}"
expect 2 "parameter 'mode' must be 'sleep' or 'spin'" -- "$mpitray" run late_error.yaml
check test ! -e never.h5 -a ! -e never.h5.partial "a configuration error leaves no output behind"

# --- progress lines on a serial run (no Dispatch): rank 0, on standard error, not with -q --------
pipeline serial_progress "seed: 5
tray:
  - module: Generator
    params: {events: 400}
  - module: Work
    params: {mean_ms: 2}"
expect 0 "^mpitray: [0-9]+ events in 0:0[0-9], [0-9.]+/s, ~[0-9]+%" -- env MPITRAY_PROGRESS_INTERVAL=0.1 "$mpitray" run serial_progress.yaml --events 300
check grep -qE "^mpitray: 300 events in 0:0[0-9], [0-9.]+/s$" <<<"$out" "a serial run's last progress line counts every event"
expect 0 "" -- env MPITRAY_PROGRESS_INTERVAL=0.1 "$mpitray" run serial_progress.yaml --events 300 -q
check test -z "$out" "-q leaves out the progress lines"
check test "$(grep -c "events in" <<<"$("$mpitray" run serial_progress.yaml --events 50 2>&1)")" -eq 0 \
  "a run shorter than the first interval prints no progress"

# --- the command line: provenance and argument order ---------------------------------------------
expect 0 "" -- "$mpitray" run --set Writer.file=prov.h5 "$src/examples/quickstart.yaml" --events 5 -q --set Generator.events=9
check test "$(attr_of prov.h5 overrides)" = "--set Writer.file=prov.h5 --set Generator.events=9 --events 5" "the file records the command-line overrides"
expect 2 "must be 0 or more" -- "$mpitray" run "$src/examples/quickstart.yaml" --seed -1
expect 2 "not expected: b=2" -- "$mpitray" run "$src/examples/quickstart.yaml" --set a.x=1 b=2
pipeline noseed "tray:
  - module: Generator
    params: {events: 1}"
expect 0 "warning: no seed in 'noseed.yaml' and no --seed" -- "$mpitray" run noseed.yaml -q

# --- merge: slices of one sample into one file ---------------------------------------------------
pipeline slice "seed: 4
tray:
  - module: Generator
    params: {events: 10, packets: true}
  - module: Writer
    params: {file: whole.h5}"
"$mpitray" run -q slice.yaml --set Generator.events=20
"$mpitray" run -q slice.yaml --set Writer.file=slice0.h5
"$mpitray" run -q slice.yaml --set Writer.file=slice1.h5 --set Generator.first_event=10
expect 0 "^merged.h5: 23 frames from 2 files \(3 repeated metadata frames left out\)" -- "$mpitray" merge merged.h5 slice0.h5 slice1.h5
check test "$("$mpitray" dump merged.h5 --values | grep -o 'event [0-9]*,' | tr -d '\n')" = \
  "$("$mpitray" dump whole.h5 --values | grep -o 'event [0-9]*,' | tr -d '\n')" "the merged slices hold events 0 to 19 in order"
check test "$(status_of merged.h5)" = complete "the merged file is marked complete"
"$mpitray" run -q slice.yaml --set Writer.file=short.h5 --events 3
expect 0 "" -- "$mpitray" merge m2.h5 slice0.h5 short.h5
expect 1 "'slice0.h5' is marked 'writing'|not complete; pass --any-status" -- bash -c "cp slice0.h5 p.h5 && /usr/bin/python3 -c \"import h5py; h5py.File('p.h5', 'a').attrs['status'] = 'stopped'\" && '$mpitray' merge m3.h5 slice0.h5 p.h5"
check test ! -e m3.h5 "a refused merge leaves no output"
expect 0 "^m4.h5: 23 frames" -- "$mpitray" merge --any-status m4.h5 slice0.h5 p.h5
expect 1 "cannot open frame file 'nosuch.h5'" -- "$mpitray" merge m5.h5 slice0.h5 nosuch.h5
check test ! -e m5.h5 -a ! -e m5.h5.partial "a merge with a missing input leaves nothing behind"

# --- the module list and --version ------------------------------------------------------------
expect 0 "Generator .*Splitter|Filter" -- "$mpitray" modules
expect 0 "mean_ms +float +10 " -- "$mpitray" modules Work
expect 0 "^mpitray [0-9]+\\.[0-9]+" -- "$mpitray" --version

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
