#!/usr/bin/env bash
# Failures on workers, each bounded in time by ctest's TIMEOUT.
#
# usage: failure_test.sh MPITRAY SOURCE_DIR WORK_DIR RANKS CASE
set -uo pipefail
mpitray=$1 src=$2 work=$3 ranks=$4 case=$5
pipelines=$src/tests/dispatch/pipelines
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

fail() { echo "FAIL: $*"; echo "--- log:"; cat log 2>/dev/null; exit 1; }

# job ARGS...: mpirun ARGS..., returning its exit code. Debian 12's mpirun (Open MPI 4.1 on PMIx
# 4.2) segfaults, or deadlocks in its own PMIx_server_finalize with every rank gone, when a rank
# calls MPI_Abort while others are inside MPI_Finalize. mpitray's ranks meet before MPI_Finalize
# so that this cannot happen; an mpirun still there 15 s after every rank has exited fails the
# test (it is killed, so that the test ends).
exec 3>&1
live_ranks() {
  local child
  for child in $(pgrep -P "$1"); do
    [ "$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null)" = Z ] || echo "$child"
  done
}
job() {
  mpirun "$@" &
  local pid=$! seen=0 lingering=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ -n "$(live_ranks "$pid")" ]; then
      seen=1 lingering=0
    elif [ $seen = 1 ] && [ $((++lingering)) -ge 150 ]; then
      echo "every rank had exited, but mpirun was still there 15 s later" >> "$work/launcher_hung"
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      return 1
    fi
    sleep 0.1
  done
  wait "$pid"
}
launcher_ended() { [ ! -e "$work/launcher_hung" ] || fail "$(cat "$work/launcher_hung")"; }
# rank_pid MPIRUN_PID RANK: the process of that rank.
rank_pid() {
  local child
  for child in $(pgrep -P "$1"); do
    tr '\0' '\n' <"/proc/$child/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && { echo "$child"; return; }
  done
}
status_of() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1])['/'].attrs['status'])" "$1"; }
attr_of() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1])['/'].attrs.get(sys.argv[2], ''))" "$1" "$2"; }
# expect_stopped CONTEXT: dispatch.h5 is closed marked 'stopped', valid, and holds exactly
# input_frames frames (long.yaml writes one frame per input frame). CONTEXT starts each message.
expect_stopped() {
  [ -e dispatch.h5 ] || fail "$1: no dispatch.h5 (only $(ls dispatch.h5* 2>/dev/null))"
  [ "$(status_of dispatch.h5)" = stopped ] || fail "$1: the output is not marked stopped"
  /usr/bin/python3 "$src/tests/io/check_with_h5py.py" dispatch.h5 stopped >/dev/null \
    || fail "$1: the stopped output is not valid"
  [ "$(attr_of dispatch.h5 frames)" = "$(attr_of dispatch.h5 input_frames)" ] \
    || fail "$1: the file holds $(attr_of dispatch.h5 frames) frames but says input_frames $(attr_of dispatch.h5 input_frames)"
}
# input_frames is what the file holds in full. failure.yaml's input: G, C, D before events 0, 15,
# 30 and 45, so event E is input frame E + 3 * (E // 15 + 1); a failure on it keeps what came before.
input_frame_of_event() { echo $(( $1 + 3 * ($1 / 15 + 1) )); }
# fails_at_event_20 PIPELINE [SETS...]: PIPELINE fails on event 20 (the results of the 20 events
# before it are complete); the job ends non-zero and dispatch.h5 is closed marked failed, holding
# exactly what the serial run holds before event 20, with input_frames saying so. The log stays in
# 'log' for the case's own checks.
fails_at_event_20() {
  local pipeline=$1; shift
  "$mpitray" run "$pipelines/failure_inline.yaml" -q --set Writer.file=serial.h5 >/dev/null 2>&1
  job -n "$ranks" "$mpitray" run "$pipelines/$pipeline" -q --set Writer.file=dispatch.h5 "$@" >log 2>&1
  [ $? -ne 0 ] || fail "the run exited 0"
  [ "$(status_of dispatch.h5)" = failed ] || fail "dispatch.h5 says $(status_of dispatch.h5), not failed"
  "$mpitray" diff serial.h5 dispatch.h5 || fail "the output does not hold exactly the results before the failed event"
  expect_input_frames dispatch.h5 "$(input_frame_of_event 20)"
}
expect_input_frames() {  # FILE EXPECTED
  local got; got=$(attr_of "$1" input_frames)
  [ "$got" = "$2" ] || fail "$1 says input_frames $got; it holds $2 input frames in full"
}

case $case in
  throw_abort)
    fails_at_event_20 failure.yaml
    [ "$(grep -c "mpitray: error:" log)" -eq 1 ] || fail "expected exactly one error message"
    grep -qE "module 'Fail' failed on Q frame \(run 1, event 20\).* on rank [0-9]+ \([^)]*\), packet [0-9]+: Fail module: deliberate failure" log \
      || fail "the message does not name module, event, rank and packet"
    ;;
  fail_after)
    # A module after Dispatch fails on event 20's result: nothing after it reaches the file (results
    # still arriving were pushed on past the failure), and input_frames stops before event 20.
    fails_at_event_20 fail_after.yaml
    ;;
  writer_before)
    # A Writer before Dispatch and one after it: the run fails in Dispatch, so both files say
    # failed (the first used to say complete), each with the input it holds in full.
    fails_at_event_20 writer_before.yaml
    [ "$(status_of before.h5)" = failed ] || fail "the Writer before Dispatch says $(status_of before.h5), not failed"
    # Before Dispatch every input frame is written as it passes: at least input_frames of them.
    held=$(attr_of before.h5 frames) said=$(attr_of before.h5 input_frames)
    [ "$said" -ge "$(input_frame_of_event 20)" ] && [ "$held" -ge "$said" ] && [ "$held" -le $((said + 1)) ] \
      || fail "before.h5 holds $held frames but says input_frames $said"
    ;;
  stuck)
    # A worker holding a packet goes silent (its module sleeps for 5 minutes): the watchdog names
    # it, the output holds every result before that packet, and the job ends.
    "$mpitray" run "$pipelines/failure_inline.yaml" -q --set Fail.at=10 --set Writer.file=serial.h5 >/dev/null 2>&1
    start=$(date +%s)
    job -n "$ranks" "$mpitray" run "$pipelines/failure.yaml" -q --set Fail.at=-1 --set Work.slow_event=10 \
      --set Work.slow_ms=300000 --set Dispatch.packet_timeout=2 --set Writer.file=dispatch.h5 >log 2>&1
    code=$? elapsed=$(( $(date +%s) - start ))
    [ $code -ne 0 ] || fail "the job exited 0"
    [ $elapsed -lt 60 ] || fail "the job took $elapsed s to end"
    grep -qE "^mpitray: error: watchdog: rank [0-9]+ on [^ ]+ has sent nothing for [0-9.]+ s while holding packet" log || fail "the watchdog did not name the rank and packets"
    [ "$(status_of dispatch.h5)" = failed ] || fail "the output is not marked failed"
    "$mpitray" diff serial.h5 dispatch.h5 || fail "the output does not hold exactly the results before the stuck packet"
    expect_input_frames dispatch.h5 "$(input_frame_of_event 10)"
    ;;
  metadata_failure)
    # A metadata frame (the second G, input position 18, inside event 14's packet) fails: with
    # on_error skip the run still ends, at every rank count, since later packets depend on it.
    job -n "$ranks" "$mpitray" run "$pipelines/failure.yaml" -q --set Fail.stops=[G] --set Fail.at=18 \
      --set Dispatch.on_error=skip --set Writer.file=dispatch.h5 >log 2>&1
    [ $? -ne 0 ] || fail "a failed metadata frame was skipped"
    grep -q "module 'Fail' failed on G frame at input position 18" log || fail "the message does not name the G frame"
    [ "$(status_of dispatch.h5)" = failed ] || fail "the output is not marked failed"
    ;;
  config_error)
    # With one process building the inner section, it has also created a file that must go. With
    # several workers an inner Writer is a mistake of its own (they would all write one file), so
    # there the mistake is only the parameter.
    pipeline=inner_config_error.yaml
    [ "$ranks" -gt 2 ] && pipeline=inner_param_error.yaml
    job -n "$ranks" "$mpitray" run "$pipelines/$pipeline" -q >log 2>&1
    code=$?
    [ $code -eq 2 ] || fail "a configuration error exited $code, not 2"
    [ "$(grep -c "mpitray: error:" log)" -eq 1 ] || fail "expected exactly one error message"
    grep -q "parameter 'mode' must be 'sleep' or 'spin'" log || fail "the message does not say what is wrong"
    if [ "$ranks" -gt 1 ]; then grep -q "error: on rank 1: " log || fail "the message does not name the rank"; fi
    ls inner.h5* >/dev/null 2>&1 && fail "a file was left behind: $(ls inner.h5*)"
    ;;
  cli_error)
    # Command-line errors are found before MPI starts: the launcher's rank 0 alone prints each,
    # as "mpitray: error: ...", and every rank exits 2.
    for args in "run $pipelines/failure.yaml --bogus" "run nope.yaml --seed 18446744073709551616" "frobnicate"; do
      job -n "$ranks" "$mpitray" $args >log 2>&1
      code=$?
      [ $code -eq 2 ] || fail "'mpitray $args' exited $code, not 2"
      [ "$(grep -c "^mpitray: error: " log)" -eq 1 ] || fail "'mpitray $args': expected exactly one 'mpitray: error:' line"
      [ "$(grep -cE "bogus|18446744073709551616|frobnicate|subcommand" log)" -eq 1 ] || fail "'mpitray $args': the error is repeated"
      grep -q "Run with --help" log && [ "$(grep -c "Run with --help" log)" -ne 1 ] && fail "'mpitray $args': the hint is repeated"
    done
    ;;
  throw_every)
    # Every packet fails: reports arrive in any order, and the earliest failed input decides
    # what is written. This used to hang when a later packet's report came first.
    "$mpitray" run "$pipelines/failure_inline.yaml" -q --set Fail.at=null --set Writer.file=serial.h5 >/dev/null 2>&1
    job -n "$ranks" "$mpitray" run "$pipelines/failure.yaml" -q --set Fail.at=null --set Writer.file=dispatch.h5 >log 2>&1
    [ $? -ne 0 ] || fail "the run exited 0"
    [ "$(grep -c "mpitray: error:" log)" -eq 1 ] || fail "expected exactly one error message"
    grep -q "event 0)" log || fail "the earliest failed event (0) is not the one reported"
    "$mpitray" diff serial.h5 dispatch.h5 || fail "the output does not hold exactly the results before the first failure"
    ;;
  throw_skip)
    "$mpitray" run "$pipelines/skip_reference.yaml" -q --set Writer.file=reference.h5 >/dev/null 2>&1 || fail "reference run"
    job -n "$ranks" "$mpitray" run "$pipelines/failure.yaml" -q --set Dispatch.on_error=skip \
      --set Dispatch.failure_log=failures.h5 --set Writer.file=dispatch.h5 >log 2>&1 || fail "a skipping run failed"
    grep -q "skipped packet" log || fail "the skipped packet is not reported"
    "$mpitray" diff reference.h5 dispatch.h5 || fail "the output is not the stream without the failed packet"
    [ "$(status_of failures.h5)" = complete ] || fail "the failure log is not complete"
    [ "$(attr_of dispatch.h5 skipped_packets)" = 1 ] || fail "the output does not record its skipped packet"
    [ "$(attr_of failures.h5 skipped_packets)" = 1 ] || fail "the failure log does not record the packet it holds"
    [ "$(attr_of dispatch.h5 failure_log)" = failures.h5 ] || fail "the output does not say where the failure log is"
    grep -q "^1 packets skipped .*their input is in 'failures.h5'" <<<"$("$mpitray" dump dispatch.h5)" || fail "dump does not show the skipped packet"
    /usr/bin/python3 -c "import h5py; t = h5py.File('failures.h5').attrs['failures']; assert \"module 'Fail' failed on Q frame (run 1, event 20)\" in t, t" \
      || fail "the failure log does not record the failure"
    versions=$("$mpitray" dump failures.h5 --values | awk '$1 == "GeometryVersion" || $3 == "GeometryVersion" {print $NF}' | tr '\n' ' ')
    [ "$versions" = "1 " ] || fail "the failure log holds geometry versions '$versions', not the one event 20 saw (1)"
    "$mpitray" run "$pipelines/replay.yaml" -q >replay.log 2>&1 && fail "replaying the failure log did not fail"
    grep -q "module 'Fail' failed on Q frame (run 1, event 20)" replay.log || { cat replay.log; fail "the replay failed differently"; }
    ;;
  abort|segfault|exit)
    job -n "$ranks" "$mpitray" run "$pipelines/failure.yaml" -q --set Fail.action=$case --set Writer.file=dispatch.h5 >log 2>&1
    code=$?
    [ $code -ne 0 ] || fail "the job exited 0 after a rank died"
    if [ -e dispatch.h5 ]; then
      [ "$(status_of dispatch.h5)" != complete ] || fail "a crashed run left a file marked complete"
    fi
    ;;
  sigterm)
    mpirun -n "$ranks" "$mpitray" run "$pipelines/long.yaml" -q --set Writer.file=dispatch.h5 >log 2>&1 &
    pid=$!
    sleep 3
    kill -TERM $pid
    wait $pid
    code=$?
    [ $code -ne 0 ] || fail "a stopped run exited 0"
    grep -q "stopped by SIGTERM after [0-9]* input frames" log || fail "the stop is not reported"
    expect_stopped "SIGTERM to mpirun"
    ;;
  stopped_worker | stop_long)
    # stopped_worker: a worker is frozen (SIGSTOP), then rank 0 is asked to stop: rank 0 used to
    # wait forever for it at the end of the run, and once that was bounded, mpirun itself now and
    # then crashed or hung after rank 0's MPI_Abort (the other workers were in MPI_Finalize): hence
    # several rounds. stop_long: rank 0 is asked to stop while every packet takes 6 s and results
    # are 64 KiB: rank 0 used to sit in MPI_Finalize and the workers in their last sends, forever.
    # Either way the whole job, mpirun included, must end, the output closed and 'stopped'.
    [ "$ranks" -ge 2 ] || { echo "PASS: $case needs a worker rank (nothing to test at 1 rank)"; exit 0; }
    sets=(--set Writer.file=dispatch.h5)
    rounds=6
    [ "$case" = stop_long ] && rounds=1 && sets+=(--set Work.mean_ms=6000 --set Generator.payload_bytes=65536)
    for round in $(seq $rounds); do
      rm -f dispatch.h5 dispatch.h5.partial
      mpirun -n "$ranks" "$mpitray" run "$pipelines/long.yaml" -q "${sets[@]}" >log 2>&1 &
      pid=$!
      for _ in $(seq 100); do [ -e dispatch.h5.partial ] && break; sleep 0.1; done
      sleep 1
      worker=
      if [ "$case" = stopped_worker ]; then
        worker=$(rank_pid $pid 1)
        [ -n "$worker" ] || fail "no rank 1 found"
        kill -STOP "$worker"
      fi
      kill -TERM "$(rank_pid $pid 0)"
      start=$(date +%s)
      while kill -0 $pid 2>/dev/null && [ $(( $(date +%s) - start )) -lt 30 ]; do sleep 0.2; done
      if kill -0 $pid 2>/dev/null; then
        ranks_left=$(live_ranks $pid)
        [ -n "$worker" ] && kill -CONT "$worker"
        pkill -KILL -P $pid; kill -KILL $pid
        [ -n "$ranks_left" ] && fail "round $round: the ranks did not end within 30 s of the stop"
        fail "round $round: every rank ended, but mpirun was still there 30 s after the stop"
      fi
      wait $pid
      code=$?
      [ $code -eq 75 ] || fail "round $round: the job ended with exit $code, not 75"
      expect_stopped "round $round"
    done
    ;;
  launcher_gone)
    # mpirun ends before its ranks: `timeout N mpirun` (timeout signals mpirun, then its process
    # group: two signals, and Open MPI's mpirun exits at once on a second one within 5 s), and a
    # double Ctrl-C (two SIGINTs). The ranks used to be ended by Open MPI the moment mpirun was
    # gone (exit 195, no message, an unreadable dispatch.h5.partial). Now rank 0 takes the loss
    # as a stop: every round must leave dispatch.h5 closed 'stopped', valid, holding exactly
    # input_frames frames, and no rank of the job running 15 s after mpirun ended.
    rounds=2
    [ "$ranks" = 3 ] && rounds=10
    for round in $(seq $rounds); do
      for how in timeout double_sigint; do
        rm -f dispatch.h5 dispatch.h5.partial log
        if [ $how = timeout ]; then
          timeout 2 mpirun -n "$ranks" "$mpitray" run "$pipelines/long.yaml" -q --set Writer.file=dispatch.h5 >log 2>&1 &
          pid=$!
          launcher=
          for _ in $(seq 50); do launcher=$(pgrep -x -P $pid mpirun) && break; sleep 0.1; done
        else
          mpirun -n "$ranks" "$mpitray" run "$pipelines/long.yaml" -q --set Writer.file=dispatch.h5 >log 2>&1 &
          pid=$! launcher=$!
        fi
        for _ in $(seq 100); do [ -e dispatch.h5.partial ] && break; sleep 0.1; done
        job_ranks=$(pgrep -P "$launcher" | tr '\n' ' ')
        [ -n "$job_ranks" ] || fail "round $round ($how): no ranks found"
        if [ $how = double_sigint ]; then
          sleep 0.5
          kill -INT $launcher; sleep 0.3; kill -INT $launcher
        fi
        wait $pid
        start=$(date +%s)
        while [ $(( $(date +%s) - start )) -lt 15 ]; do
          running=
          for rank in $job_ranks; do
            state=$(awk '{print $3}' "/proc/$rank/stat" 2>/dev/null)
            [ -n "$state" ] && [ "$state" != Z ] && running+=" $rank"
          done
          [ -z "$running" ] && break
          sleep 0.2
        done
        [ -z "$running" ] || { kill -KILL $running; fail "round $round ($how): ranks$running still ran 15 s after mpirun ended"; }
        expect_stopped "round $round ($how)"
      done
    done
    ;;
  killed_worker)
    # A worker killed with SIGKILL (as the OOM killer does): mpirun ends the job (SIGCONT to the
    # other ranks, SIGTERM a second later, SIGKILL a second after that). Rank 0 notices the death
    # itself (it watches the workers on its host), closes the output marked failed, holding every
    # result before the dead worker's oldest packet, and the job ends with a non-zero code.
    job -n "$ranks" "$mpitray" run "$pipelines/long.yaml" -q --set Writer.file=dispatch.h5 >log 2>&1 &
    job_pid=$!
    for _ in $(seq 100); do [ -e dispatch.h5.partial ] && break; sleep 0.1; done
    sleep 2
    launcher=$(pgrep -x -P $job_pid mpirun)
    victim=$(rank_pid "$launcher" 1)
    [ -n "$victim" ] || { kill -TERM "$launcher"; wait $job_pid; fail "rank 1 not found"; }
    start=$(date +%s)
    kill -KILL "$victim"
    wait $job_pid
    code=$?
    [ $code -ne 0 ] || fail "the run exited 0"
    [ $(( $(date +%s) - start )) -le 20 ] || fail "the job took more than 20 s to end"
    grep -q "rank 1 on [^ ]* died (process $victim ended" log || fail "rank 0 does not name the dead rank"
    [ -e dispatch.h5 ] || fail "the output was not closed (only $(ls dispatch.h5* 2>/dev/null) is left)"
    [ "$(status_of dispatch.h5)" = failed ] || fail "the output is not marked failed"
    /usr/bin/python3 "$src/tests/io/check_with_h5py.py" dispatch.h5 failed || fail "the failed output is not valid"
    # It holds exactly what the serial run writes first: run as many events serially.
    events=$(/usr/bin/python3 -c "import h5py,sys; print(int(h5py.File(sys.argv[1]).attrs['input_frames']))" dispatch.h5)
    "$mpitray" run "$pipelines/long.yaml" -q --set Generator.events="$events" --set Writer.file=serial.h5 >/dev/null 2>&1
    /usr/bin/python3 - dispatch.h5 serial.h5 <<'PY' || fail "the output is not the serial run's beginning"
import sys, h5py
got, ref = (h5py.File(p) for p in sys.argv[1:3])
n = got["frames/index"].shape[0]
assert n > 0, "no frames written"
assert ref["frames/index"].shape[0] >= n, "the serial run has fewer frames"
a, b = got["frames/index"][:n], ref["frames/index"][:n]
assert (a["checksum"] == b["checksum"]).all() and (a["length"] == b["length"]).all(), "frames differ"
end = int(a["offset"][-1] + a["length"][-1])
assert (got["frames/data"][:end] == ref["frames/data"][:end]).all(), "bytes differ"
print(f"{n} frames, the serial run's first {n}")
PY
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
launcher_ended
echo "PASS: $case at $ranks ranks"
