#!/usr/bin/env bash
# A Python script that goes wrong on the worker ranks (failing_script.py), under mpirun: the error
# is printed once, by rank 0, naming what it should; the exit code is mpitray run's; the output
# says how the run ended.
#
# usage: failure_test.sh MPITRAY SOURCE_DIR WORK_DIR RANKS   (PYTHONPATH finds mpitray)
set -uo pipefail
mpitray=$1 src=$2 work=$3 ranks=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
script=$src/tests/python/failing_script.py
fail() { echo "FAIL: $*"; cat log; exit 1; }
# run CASE EXPECTED_EXIT: runs the script at RANKS ranks into CASE.h5, output in `log`.
run() {
  mpirun -n "$ranks" /usr/bin/python3 "$script" "$1" "$1.h5" >log 2>&1
  local code=$?
  [ $code -eq "$2" ] || fail "$1: exit $code, not $2"
  [ "$(grep -c "mpitray: error:" log)" -eq "$(( $2 == 0 ? 0 : 1 ))" ] || fail "$1: the error is not printed once"
}
status() { local s; s=$("$mpitray" dump "$1" 2>&1); echo "${s%%$'\n'*}"; }

run exception 1
grep -q "module 'Explode' failed on P frame (run 1, event 7)" log || fail "exception: module and event not named"
grep -q "on rank [0-9]" log || fail "exception: no rank"
grep -q "ValueError: cannot handle event 7" log || fail "exception: no Python exception"
grep -q "Traceback (most recent call last)" log && grep -q "failing_script.py\", line [0-9]*, in Physics" log ||
  fail "exception: no traceback"
[[ "$(status exception.h5)" == *"status failed"* ]] || fail "exception: $(status exception.h5)"

run skip 0
[[ "$(status skip.h5)" == *"status complete"* ]] || fail "skip: $(status skip.h5)"
/usr/bin/python3 -c "
import mpitray
events = [f['EventHeader'].event for f in mpitray.FrameFile('skip.h5') if f.Stop == 'P']
assert 7 not in events and len(events) == 29, events
assert mpitray.FrameFile('skip.h5').skipped_packets == 1" || fail "skip: event 7 not left out alone"

run bad_parameter 2
grep -q "seven" log && grep -q "event" log || fail "bad_parameter: the value and parameter are not named"
[ ! -e bad_parameter.h5 ] && [ ! -e bad_parameter.h5.partial ] || fail "bad_parameter: an output was left"

run unstorable 1
grep -q "key 'Set': a value of type 'set' cannot be stored" log || fail "unstorable: key and type not named"
echo "PASS: Python failures at $ranks ranks"
