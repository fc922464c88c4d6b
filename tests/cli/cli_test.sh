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
# A YAML alias bomb ("billion laughs": 600 bytes, 10^9 values expanded) is refused before it is
# expanded, with file and line. Under 1 GB of address space a regression fails instead of swapping.
{
  printf 'seed: 1\ntray:\n  - module: Generator\n    params:\n'
  items=ha
  for level in 0 1 2 3 4 5 6 7 8 9; do
    printf '      p%s: &l%s [%s, %s, %s, %s, %s, %s, %s, %s, %s, %s]\n' $level $level $items $items $items $items $items $items $items $items $items $items
    items="*l$level"
  done
  printf '  - module: Writer\n    params: {file: bomb.h5}\n'
} > bomb.yaml
expect 2 "^mpitray: error: bomb.yaml:10: the alias '\\*l4' repeats 111111 values and 200000 bytes of text: the pipeline would hold more than 1000000 values or 64 MiB of text" \
  -- bash -c "{ [ -n '${MPITRAY_SANITIZED:-}' ] || ulimit -v 1000000; } && exec '$mpitray' run bomb.yaml"
check test "$(wc -l <<<"$out")" -eq 1 "an alias bomb is reported in one line"
check test ! -e bomb.h5 -a ! -e bomb.h5.partial "an alias bomb writes nothing"
expect 2 "--set 'Generator' must look like NAME.PARAM=VALUE" -- "$mpitray" run "$src/examples/quickstart.yaml" --set Generator
expect 2 "no module named 'Nope'" -- "$mpitray" run "$src/examples/quickstart.yaml" --set Nope.x=1
expect 2 "^mpitray: error: 'frobnicate' is not a subcommand; the subcommands are run, modules, dump, diff and merge$" -- "$mpitray" frobnicate
expect 2 "^mpitray: error: The following argument was not expected: --bogus$" -- "$mpitray" run "$src/examples/quickstart.yaml" --bogus
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
check test "$(attr_of stopped.h5 frames)" = "$frames" "a one-frame-per-input run holds exactly input_frames frames"
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

# --- outputs only replace regular files: the run is refused (exit 2) and nothing is touched -----
mkfifo fifo.h5
pipeline to_fifo "tray:
  - module: Generator
  - module: Writer
    params: {file: fifo.h5}"
expect 2 "'fifo.h5' is a FIFO, not a regular file" -- "$mpitray" run to_fifo.yaml
check test -p fifo.h5 -a ! -e fifo.h5.partial "a FIFO under the output name is left alone"
mkdir emptydir.h5
expect 2 "'emptydir.h5' is a directory, not a regular file" -- "$mpitray" run to_fifo.yaml --set Writer.file=emptydir.h5
check test -d emptydir.h5 -a ! -e emptydir.h5.partial "an empty directory under the output name is left alone"
echo precious > victim.txt && ln -s victim.txt linked.h5.partial
expect 2 "'linked.h5.partial' is a symbolic link, not a regular file" -- "$mpitray" run to_fifo.yaml --set Writer.file=linked.h5
check test "$(cat victim.txt)" = precious "a link under the partial name is not followed"
if [ "$(id -u)" -eq 0 ]; then
  mknod chardev.h5 c 1 3  # a device node like /dev/null, made here
  expect 2 "'chardev.h5' is a character device, not a regular file" -- "$mpitray" run to_fifo.yaml --set Writer.file=chardev.h5
  check test -c chardev.h5 -a ! -e chardev.h5.partial "a device node under the output name is left alone"
else
  echo "note: not root, the device node case is skipped"
fi

# --- modules that would destroy each other's files are refused before anything is touched ------
cp q1.h5 keep.h5 && cp q1.h5 keep-orig.h5 && mkdir -p sub && ln -sf keep.h5 keep-link.h5
unchanged() { "$mpitray" diff keep-orig.h5 "$1" > /dev/null 2>&1; }
pipeline read_write "tray:
  - module: Reader
    params: {file: keep.h5}
  - module: Writer
    params: {file: other.h5}"
expect 2 "module 'Writer' \\(Writer, read_write.yaml:4\\) writes 'sub/../keep.h5' .*the same file module 'Reader' \\(Reader, read_write.yaml:2\\) reads as 'keep.h5'" -- "$mpitray" run read_write.yaml --set Writer.file=sub/../keep.h5
check unchanged keep.h5 "a Writer on the Reader's input ('..' path) leaves the input alone"
expect 2 "module 'Writer' .* reads as 'keep.h5'" -- "$mpitray" run read_write.yaml --set Writer.file=keep-link.h5
check unchanged keep.h5 "a Writer on the Reader's input (through a link) leaves the input alone"
expect 2 "module 'Writer' .* reads as 'keep.h5'" -- "$mpitray" run read_write.yaml --set Writer.file="$PWD/keep.h5"
check unchanged keep.h5 "a Writer on the Reader's input (absolute path) leaves the input alone"
pipeline table_on_input "tray:
  - module: Reader
    params: {files: [q1.h5, keep.h5]}
  - module: TableWriter
    params: {file: keep.h5, keys: [Energy]}"
expect 2 "module 'TableWriter' .* reads as 'keep.h5'" -- "$mpitray" run table_on_input.yaml
check unchanged keep.h5 "a TableWriter on the Reader's input leaves the input alone"
pipeline self_write "tray:
  - module: Generator
  - module: Writer
    params: {file: ./self_write.yaml}"
cp self_write.yaml self_write.orig
expect 2 "writes './self_write.yaml' .*which is the pipeline file 'self_write.yaml'" -- "$mpitray" run self_write.yaml
check cmp -s self_write.yaml self_write.orig "a Writer on the pipeline file leaves the pipeline alone"
pipeline two_writers "tray:
  - module: Generator
  - module: Writer
    name: First
    params: {file: keep.h5}
  - module: TableWriter
    name: Second
    params: {file: sub/../keep.h5, keys: [Energy]}"
expect 2 "module 'Second' \\(TableWriter, two_writers.yaml:6\\) writes 'sub/../keep.h5' .*the same file module 'First' \\(Writer, two_writers.yaml:3\\) writes as 'keep.h5'" -- "$mpitray" run two_writers.yaml
check unchanged keep.h5 "two outputs on one file are refused before either removes the older file"
expect 2 "module 'Second' .* module 'First'" -- "$mpitray" run two_writers.yaml --set Second.file=keep.h5.partial
check unchanged keep.h5 "an output on another output's partial name is refused"
pipeline failure_log_clash "tray:
  - module: Generator
    params: {packets: true}
  - module: Dispatch
    params: {on_error: skip, failure_log: keep.h5}
    inner:
      - module: Splitter
  - module: Writer
    params: {file: keep-link.h5}"
expect 2 "module 'Writer' .* the same file module 'Dispatch' \\(Dispatch, failure_log_clash.yaml:4\\) writes as 'keep.h5'" -- "$mpitray" run failure_log_clash.yaml
check unchanged keep.h5 "a Writer on Dispatch's failure log is refused"
pipeline inner_on_input "tray:
  - module: Reader
    params: {file: keep.h5}
  - module: Dispatch
    inner:
      - module: Writer
        name: InnerWriter
        params: {file: keep.h5}"
expect 2 "module 'InnerWriter' \\(Writer, inner_on_input.yaml:6\\) writes 'keep.h5'.* module 'Reader'" -- "$mpitray" run inner_on_input.yaml
check unchanged keep.h5 "a Writer inside Dispatch on the Reader's input leaves the input alone"
cp q1.h5 older.h5
expect 2 "'fifo.h5' is a FIFO" -- "$mpitray" run two_writers.yaml --set First.file=older.h5 --set Second.file=fifo.h5
check test -f older.h5 "a refused output stops the run before an earlier Writer removes its older file"
expect 0 "" -- "$mpitray" run read_write.yaml -q --set Writer.file=copy2.h5
check unchanged keep.h5 "reading a file and writing another is fine"

# --- the command line: provenance and argument order ---------------------------------------------
expect 0 "" -- "$mpitray" run --set Writer.file=prov.h5 "$src/examples/quickstart.yaml" --events 5 -q --set Generator.events=9
check test "$(attr_of prov.h5 overrides)" = "--set Writer.file=prov.h5 --set Generator.events=9 --events 5" "the file records the command-line overrides"
expect 2 "--seed: must be an integer from 0 to 18446744073709551615, not '-1'" -- "$mpitray" run "$src/examples/quickstart.yaml" --seed -1
# Numbers are read exactly: out of range is an error naming the option or parameter and the
# range, never clamped; float syntax for a whole number only when exactly one. Exit 2, nothing written.
expect 2 "--seed: must be an integer from 0 to 18446744073709551615, not '18446744073709551616'" \
  -- "$mpitray" run "$src/examples/quickstart.yaml" --seed 18446744073709551616 --set Writer.file=big.h5
expect 2 "--events: must be an integer from 0 to 9007199254740992 \\(2\\^53\\), not '1e23'" \
  -- "$mpitray" run "$src/examples/quickstart.yaml" --events 1e23 --set Writer.file=big.h5
expect 2 "--limit: must be a whole number, not '2.5'" -- "$mpitray" dump q1.h5 --limit 2.5
expect 2 "module 'Work' \\(Work\\): parameter 'mean_ms' must be 0 to 86400000 \\(a day\\), not 1e\\+300" \
  -- "$mpitray" run "$src/examples/quickstart.yaml" --set Work.mean_ms=1e300 --set Writer.file=big.h5
expect 2 "module 'Generator' \\(Generator\\): parameter 'payload_bytes' must be 0 to 1073741824 \\(1 GiB\\), not 9223372036854775807" \
  -- "$mpitray" run "$src/examples/quickstart.yaml" --set Generator.payload_bytes=9223372036854775807 --set Writer.file=big.h5
expect 2 "parameter 'events' expects an integer from -9223372036854775808 to 9223372036854775807, got '1e23'" \
  -- "$mpitray" run "$src/examples/quickstart.yaml" --set Generator.events=1e23 --set Writer.file=big.h5
check test ! -e big.h5 -a ! -e big.h5.partial "numbers out of range write nothing"
expect 0 "" -- "$mpitray" run "$src/examples/quickstart.yaml" -q --events 1e1 --set Generator.events=2.0e1 --set Writer.file=e10.h5
check test "$(attr_of e10.h5 input_frames)" = 13 "--events 1e1 is 10 events (and 2.0e1 is 20)"
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
cp slice0.h5 s0.h5 && cp slice0.h5 s0-orig.h5 && ln -sf s0.h5 s0-link.h5
expect 2 "the output 's0.h5' is the input 's0.h5'" -- "$mpitray" merge s0.h5 s0.h5 slice1.h5
check cmp -s s0.h5 s0-orig.h5 "merge refuses to write over an input"
expect 2 "the output 'sub/../s0.h5' is the input 's0-link.h5'" -- "$mpitray" merge sub/../s0.h5 slice1.h5 s0-link.h5
check cmp -s s0.h5 s0-orig.h5 "merge refuses to write over an input, through a link and '..'"
cp slice0.h5 s1.h5.partial
expect 2 "the output 's1.h5' is the input 's1.h5.partial'" -- "$mpitray" merge s1.h5 slice1.h5 s1.h5.partial
check cmp -s s1.h5.partial slice0.h5 "merge refuses an input under the output's partial name"
expect 2 "the input 's0.h5' is given twice \\(also as 's0-link.h5'\\)" -- "$mpitray" merge m6.h5 s0.h5 slice1.h5 s0-link.h5
check test ! -e m6.h5 -a ! -e m6.h5.partial "an input given twice is refused before anything is written"
"$mpitray" run -q slice.yaml --set Writer.file=seed5.h5 --set Generator.first_event=10 --seed 5
expect 1 "the inputs come from different seeds \\(slice0.h5: 4, seed5.h5: 5\\).*pass --mixed" -- "$mpitray" merge m7.h5 slice0.h5 seed5.h5
check test ! -e m7.h5 -a ! -e m7.h5.partial "inputs of different seeds are refused without --mixed"
expect 0 "warning: merging inputs from different seeds \\(slice0.h5: 4, seed5.h5: 5\\)" -- "$mpitray" merge --mixed m7.h5 slice0.h5 seed5.h5
check test "$(attr_of m7.h5 merged_seeds)" = "slice0.h5: 4, seed5.h5: 5" "the merged file records every input's seed"
check test "$(/usr/bin/python3 -c "import h5py,sys; print('seed' in h5py.File(sys.argv[1]).attrs)" m7.h5)" = False "a merge of several seeds claims no seed"
expect 0 "seed none" -- "$mpitray" dump m7.h5 --limit 0
check test "$(attr_of merged.h5 seed)" = 4 "a merge of one seed keeps it"
check test "$(attr_of merged.h5 merged_seeds)" = "slice0.h5: 4, slice1.h5: 4" "and lists it per input"
printf 'seed: 4\ntray:\n  - module: Generator\n    params: {events: 10, packets: true, payload_bytes: 8}\n  - module: Writer\n    params: {file: otherpipe.h5}\n' > other.yaml
"$mpitray" run -q other.yaml
expect 1 "different pipelines \\('otherpipe.h5' from another pipeline than 'slice0.h5'\\)" -- "$mpitray" merge m8.h5 slice0.h5 otherpipe.h5

# --- the module list and --version ------------------------------------------------------------
expect 0 "Generator .*Splitter|Filter" -- "$mpitray" modules
expect 0 "mean_ms +float +10 " -- "$mpitray" modules Work
expect 0 "^mpitray [0-9]+\\.[0-9]+" -- "$mpitray" --version

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
