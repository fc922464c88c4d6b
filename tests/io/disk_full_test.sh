#!/usr/bin/env bash
# A full disk while outputs are written: exit code 1, no crash, an error that names the file and
# says the disk is full, and on disk only what the message says (nothing claiming to be complete).
# Outputs go to a 2 MB tmpfs mounted here, so this needs root (exit 77, skipped, otherwise).
#
# usage: disk_full_test.sh MPITRAY SOURCE_DIR WORK_DIR
set -uo pipefail
mpitray=$1 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to mount a tmpfs"; exit 77; }
mkdir full
mount -t tmpfs -o size=2m tmpfs full || { echo "SKIP: cannot mount a tmpfs"; exit 77; }
trap 'umount "$work/full"' EXIT
ulimit -c 0  # a crash is seen in the exit code; no core file on the full disk

failures=0
fail() { echo "FAIL: $case: $*"; sed 's/^/    /' log; failures=$((failures + 1)); }
status_of() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1])['/'].attrs['status'])" "$1"; }

# 1000 events of 20 kB, uncompressed: 20 MB into 2 MB; the Writer's first write of its 8 MB
# buffer fails while frames move (dispatch.yaml, 400 events: at the end, in its close).
cat > big.yaml <<'EOF'
seed: 1
tray:
  - module: Generator
    params: {events: 1000, payload_bytes: 20000}
  - module: TableWriter
    params: {file: tables.h5, keys: [EventHeader], stops: [Q, P]}
  - module: Writer
    params: {file: full/out.h5, compression: 0}
EOF
cat > dispatch.yaml <<'EOF'
seed: 1
tray:
  - module: Generator
    params: {events: 400, payload_bytes: 20000, packets: true}
  - module: Dispatch
    inner:
      - module: Splitter
        params: {n: 1}
  - module: Writer
    params: {file: full/out.h5, compression: 0}
EOF

# check_full CODE: the run exited 1 (not 139 or 134: a crash), said the disk is full, named the
# file, and left nothing in the tmpfs: out.h5 was removed, as the message says.
check_full() {
  local code=$1
  [ "$code" -eq 1 ] || fail "exited $code, expected 1"
  grep -qi "segmentation\|core dumped\|signal 11\|H5F__close_cb" log && fail "a crash"
  grep -q "'full/out.h5' could not be closed: the disk is full (.*No space left on device)" log \
    || fail "no error naming full/out.h5 and the full disk"
  grep -q "its incomplete 'full/out.h5.partial' was removed" log || fail "the message does not say what is left"
  grep -q "outputs written so far are closed and marked 'failed'" log && fail "claims every output was closed"
  [ -z "$(ls -A full)" ] || { ls -la full >>log; fail "the tmpfs is not empty, though the message says it was cleared"; }
}

# start CASE: a new case on an empty tmpfs.
start() { case=$1; rm -rf full/* tables.h5; }

start serial
"$mpitray" run big.yaml -q >log 2>&1
check_full $?
# The table file on another disk was fine: it is closed and marked failed.
[ "$(status_of tables.h5 2>/dev/null)" = failed ] || fail "the healthy table file is not closed and marked failed"

start at_close  # 4 MB fit the Writer's buffer: it fails only when closed, after the table file
"$mpitray" run big.yaml -q --set Generator.events=200 >log 2>&1
check_full $?
# The table file before it closed first, as complete; the run failed after all, so it says failed.
[ "$(status_of tables.h5 2>/dev/null)" = failed ] || fail "the table file closed before the failed Writer says $(status_of tables.h5 2>/dev/null), not failed"

start same_disk  # both outputs on the full disk: each is closed and marked failed, or said to be lost
"$mpitray" run big.yaml -q --set TableWriter.file=full/tables.h5 >log 2>&1
code=$?
[ "$code" -eq 1 ] || fail "exited $code, expected 1"
grep -qi "segmentation\|core dumped\|H5F__close_cb" log && fail "a crash"
grep -q "'full/out.h5' could not be closed: the disk is full" log || fail "no full disk in the message"
ls full/*.partial >/dev/null 2>&1 && fail "a partial file is left"
if [ -e full/tables.h5 ]; then
  [ "$(status_of full/tables.h5)" = failed ] || fail "full/tables.h5 is not marked failed"
else
  grep -q "'full/tables.h5' could not be closed: the disk is full" log || fail "full/tables.h5 is gone, and the message does not say so"
fi

start mpirun
mpirun -n 3 --oversubscribe "$mpitray" run dispatch.yaml -q >log 2>&1
check_full $?

start merge
"$mpitray" run big.yaml -q --set Writer.file=whole.h5 --set TableWriter.file=t2.h5 >/dev/null 2>&1 \
  || { echo "FAIL: merge: could not write the input"; exit 1; }
"$mpitray" merge full/out.h5 whole.h5 >log 2>&1
check_full $?

[ $failures -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "PASS: a full disk ends runs, Dispatch runs and merges with exit 1, a clear message and no crash"
