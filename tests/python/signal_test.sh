#!/usr/bin/env bash
# Ctrl-C of a Python script running a tray: on one process (SIGINT to python3) and under mpirun
# (SIGINT to mpirun, as a terminal's Ctrl-C sends it). The run stops in order: what is complete
# is written and the file is marked 'stopped', the script ends with exit 75 from Execute() (not a
# KeyboardInterrupt traceback), and every process is gone within 30 s.
#
# usage: signal_test.sh MPITRAY SOURCE_DIR WORK_DIR RANKS   (PYTHONPATH finds mpitray)
set -uo pipefail
mpitray=$1 src=$2 work=$3 ranks=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
script=$src/tests/python/long_script.py
fail() { echo "FAIL: $*"; cat log; exit 1; }

if [ "$ranks" -eq 1 ]; then
  setsid /usr/bin/python3 "$script" out.h5 >log 2>&1 &
else
  setsid mpirun -n "$ranks" /usr/bin/python3 "$script" out.h5 >log 2>&1 &
fi
pid=$!
for _ in $(seq 150); do [ -e out.h5.partial ] && break; sleep 0.1; done
[ -e out.h5.partial ] || fail "the run never started"
sleep 1
kill -INT "$pid"
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  kill -KILL -- "-$pid"
  fail "still running 30 s after Ctrl-C"
fi
wait "$pid"
code=$?
[ $code -ne 0 ] || fail "exit 0 after Ctrl-C"
# mpirun ends its ranks soon after passing the signal on, perhaps before a script's last line:
# on one process the script itself must say how Execute() ended.
if [ "$ranks" -eq 1 ]; then
  [ $code -eq 75 ] || fail "exit $code, not 75"
  grep -q "Execute ended the script with exit code 75" log || fail "Execute did not end with exit code 75"
fi
! grep -q "KeyboardInterrupt" log || fail "a KeyboardInterrupt escaped"
grep -q "outputs are closed and marked 'stopped'" log || fail "the stop is not reported"
status=$("$mpitray" dump out.h5 2>&1)
[[ "${status%%$'\n'*}" == *"status stopped"* ]] || fail "out.h5 is not marked stopped: ${status%%$'\n'*}"
sleep 0.5
[ -z "$(pgrep -f "$script" | grep -v $$)" ] || fail "processes left: $(pgrep -af "$script")"
echo "PASS: Ctrl-C of the Python script at $ranks ranks"
