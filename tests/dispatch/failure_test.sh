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
# running PID...: those of the processes that still run (neither gone nor a zombie).
running() {
  local pid state
  for pid in "$@"; do
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ] && echo "$pid"
  done
}
live_ranks() { running $(pgrep -P "$1"); }
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
  expect_closed "$1" stopped whole
}
# expect_closed CONTEXT STATUS [whole]: dispatch.h5 is closed with STATUS and valid (one h5py
# start for every check: the signal matrix runs this 80 times).
expect_closed() {
  [ -e dispatch.h5 ] || fail "$1: no dispatch.h5 (only $(ls dispatch.h5* 2>/dev/null))"
  local problem
  problem=$(/usr/bin/python3 "$src/tests/io/check_with_h5py.py" dispatch.h5 "$2" ${3:-} 2>&1) \
    || fail "$1: the output is not a valid '$2' file: $(tail -n 1 <<<"$problem")"
}
# signal_cell HOW ROUND: one cell of the signal and death matrix (docs/fault-matrix.md) on
# long.yaml: start the job, let it write for half a second, deliver HOW, and require that the whole
# job (mpirun and every rank) ends within 30 s with the documented exit code and file state.
#   mpirun        SIGTERM to mpirun                          mpirun's non-zero code; stopped
#   group         SIGTERM to mpirun's process group          the same
#   rank0         SIGTERM to rank 0 alone                    75; stopped
#   every         SIGTERM to mpirun and every rank at once   non-zero; stopped
#   timeout       `timeout 2 mpirun ...`                     124 (timeout's); stopped
#   double_sigint two SIGINTs to mpirun 0.3 s apart          1 (mpirun's); stopped
#   worker_kill   SIGKILL to rank 1                          non-zero; failed
#   worker_stop   SIGSTOP to rank 1, then SIGTERM to rank 0  75; stopped
# 'stopped' also means valid and holding exactly input_frames frames. The job's other settings
# come from the array cell_sets, if set; cell_pipeline (default long.yaml) is the pipeline, and
# cell_worker (default 1) the rank the worker cells kill or stop.
signal_cell() {
  local how=$1 round=$2 pid launcher job_ranks worker= code start left
  local context="round $round ($how)"
  rm -f dispatch.h5 dispatch.h5.partial log
  if [ "$how" = timeout ]; then
    timeout 2 mpirun -n "$ranks" "$mpitray" run "$pipelines/${cell_pipeline:-long.yaml}" -q --set Writer.file=dispatch.h5 \
      ${cell_sets[@]+"${cell_sets[@]}"} >log 2>&1 &
    pid=$!
    launcher=
    for _ in $(seq 50); do launcher=$(pgrep -x -P $pid mpirun) && break; sleep 0.1; done
  else
    # Its own process group, as an interactive shell would give it.
    setsid mpirun -n "$ranks" "$mpitray" run "$pipelines/${cell_pipeline:-long.yaml}" -q --set Writer.file=dispatch.h5 \
      ${cell_sets[@]+"${cell_sets[@]}"} >log 2>&1 &
    pid=$! launcher=$!
  fi
  for _ in $(seq 100); do [ -e dispatch.h5.partial ] && break; sleep 0.1; done
  job_ranks=$(pgrep -P "$launcher" | tr '\n' ' ')
  [ -n "$job_ranks" ] || fail "$context: no ranks found"
  # Half a second of writing: with long.yaml on two workers, about 200 events are done and
  # packets are in flight on every worker when the signal comes.
  [ "$how" = timeout ] || sleep 0.5
  case $how in
    mpirun) kill -TERM "$launcher" ;;
    group) kill -TERM -- "-$launcher" ;;
    rank0) kill -TERM "$(rank_pid "$launcher" 0)" ;;
    every) kill -TERM "$launcher" $job_ranks ;;
    timeout) ;;
    double_sigint) kill -INT "$launcher"; sleep 0.3; kill -INT "$launcher" ;;
    worker_kill) kill -KILL "$(rank_pid "$launcher" "${cell_worker:-1}")" ;;
    worker_stop)
      worker=$(rank_pid "$launcher" "${cell_worker:-1}")
      kill -STOP "$worker"
      kill -TERM "$(rank_pid "$launcher" 0)" ;;
  esac
  start=$(date +%s)
  while [ $(( $(date +%s) - start )) -lt 30 ]; do
    left=$(running $job_ranks | tr '\n' ' ')
    kill -0 "$pid" 2>/dev/null && left+="mpirun"
    [ -z "$left" ] && break
    sleep 0.05
  done
  if [ -n "$left" ]; then
    [ -n "$worker" ] && kill -CONT "$worker"
    kill -KILL $job_ranks "$pid" "$launcher" 2>/dev/null
    fail "$context: still running 30 s after the signal: $left"
  fi
  wait "$pid"
  code=$?
  case $how in
    rank0 | worker_stop) [ $code -eq 75 ] || fail "$context: exit $code, not 75" ;;
    timeout) [ $code -eq 124 ] || fail "$context: exit $code, not timeout's 124" ;;
    double_sigint) [ $code -eq 1 ] || fail "$context: exit $code, not mpirun's 1" ;;
    *) [ $code -ne 0 ] || fail "$context: exit 0" ;;
  esac
  if [ "$how" = worker_kill ]; then
    expect_closed "$context" failed
  else
    expect_stopped "$context"
  fi
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
    # it, the output holds every result before that packet, and the job ends. Packets go alone
    # (batch: 1): a batch's results come back together, so those of the stuck packet's batch
    # would be missing too (docs/protocol.md, "Batches").
    "$mpitray" run "$pipelines/failure_inline.yaml" -q --set Fail.at=10 --set Writer.file=serial.h5 >/dev/null 2>&1
    start=$(date +%s)
    job -n "$ranks" "$mpitray" run "$pipelines/failure.yaml" -q --set Fail.at=-1 --set Work.slow_event=10 \
      --set Work.slow_ms=300000 --set Dispatch.packet_timeout=2 --set Dispatch.batch=1 --set Writer.file=dispatch.h5 \
      >log 2>&1
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
    # Node-shared tables (several ranks) need their directory: a configuration error, found on
    # every rank before anything is written, printed once.
    if [ "$ranks" -gt 1 ]; then
      job -n "$ranks" "$mpitray" run "$pipelines/failure.yaml" -q --table-dir /nonexistent-table-dir >log 2>&1
      code=$?
      [ $code -eq 2 ] || fail "a missing --table-dir exited $code, not 2"
      [ "$(grep -c "^mpitray: error: .*'/nonexistent-table-dir' is not a directory" log)" -eq 1 ] ||
        fail "a missing --table-dir: expected exactly one error naming it"
      [ -z "$(ls)" ] || [ "$(ls)" = log ] || fail "files were left behind: $(ls)"
    fi
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
    signal_cell mpirun 1
    grep -q "stopped by SIGTERM after [0-9]* input frames" log || fail "the stop is not reported"
    ;;
  stopped_worker | stop_long)
    # stopped_worker: a worker is frozen (SIGSTOP), then rank 0 is asked to stop: rank 0 used to
    # wait forever for it at the end of the run, and once that was bounded, mpirun itself now and
    # then crashed or hung after rank 0's MPI_Abort (the other workers were in MPI_Finalize): hence
    # several rounds. stop_long: rank 0 is asked to stop while every packet takes 6 s and results
    # are 64 KiB: rank 0 used to sit in MPI_Finalize and the workers in their last sends, forever.
    # Either way the whole job, mpirun included, must end, exit 75, the output closed 'stopped'.
    [ "$ranks" -ge 2 ] || { echo "PASS: $case needs a worker rank (nothing to test at 1 rank)"; exit 0; }
    if [ "$case" = stop_long ]; then
      cell_sets=(--set Work.mean_ms=6000 --set Generator.payload_bytes=65536)
      signal_cell rank0 1
    else
      for round in 1 2 3; do signal_cell worker_stop $round; done
    fi
    ;;
  launcher_gone)
    # mpirun ends before its ranks: `timeout N mpirun` (timeout signals mpirun, then its process
    # group: two signals, and Open MPI's mpirun exits at once on a second one within 5 s), and a
    # double Ctrl-C (two SIGINTs). The ranks used to be ended by Open MPI the moment mpirun was
    # gone (exit 195, no message, an unreadable dispatch.h5.partial). Now rank 0 takes the loss
    # as a stop. (dispatch.signals.n3 repeats these ten times.)
    for round in 1 2; do
      signal_cell timeout $round
      signal_cell double_sigint $round
    done
    ;;
  two_stages_failure)
    # A failure in either of two stages: the run ends failed at the failed event, holding what
    # the serial run holds before it. Only the failing stage's Fail is on.
    [ "$ranks" -eq 2 ] && {  # two stages need a worker each
      job -n 2 "$mpitray" run "$pipelines/two_stages_failure.yaml" -q --set Writer.file=dispatch.h5 >log 2>&1
      [ $? -eq 2 ] || fail "two stages on 2 ranks did not exit 2"
      grep -q "need at least 2 worker ranks (sim at least 1, reco at least 1), but the job has 2 ranks" log \
        || fail "the error does not say how many ranks the stages need"
      [ ! -e dispatch.h5 ] && [ ! -e dispatch.h5.partial ] || fail "a configuration error left an output"
      launcher_ended
      echo "PASS: $case at $ranks ranks"; exit 0; }
    for failing in SimFail RecoFail; do
      other=RecoFail; [ $failing = RecoFail ] && other=SimFail
      "$mpitray" run "$pipelines/two_stages_failure_inline.yaml" -q --set Writer.file=serial.h5 --set $other.stops=[X] \
        >/dev/null 2>&1
      rm -f dispatch.h5
      job -n "$ranks" "$mpitray" run "$pipelines/two_stages_failure.yaml" -q --set Writer.file=dispatch.h5 \
        --set $other.stops=[X] >log 2>&1
      [ $? -ne 0 ] || fail "$failing: the run exited 0"
      grep -qE "module '$failing' failed on Q frame \(run 1, event 20\)" log || fail "$failing: the failure is not named"
      [ "$(status_of dispatch.h5)" = failed ] || fail "$failing: dispatch.h5 says $(status_of dispatch.h5), not failed"
      "$mpitray" diff serial.h5 dispatch.h5 || fail "$failing: the output does not hold exactly the results before event 20"
      expect_input_frames dispatch.h5 "$(input_frame_of_event 20)"
      launcher_ended
    done
    ;;
  two_stages_signals)
    # Stops and deaths with two stages: SIGTERM to rank 0 and to mpirun stop both stages; a
    # worker of either stage killed, or stopped before SIGTERM to rank 0.
    cell_pipeline=long_two_stages.yaml
    for how in rank0 mpirun; do signal_cell $how 1; done
    for cell_worker in 1 $((ranks - 1)); do  # the first stage's first worker, the last stage's last
      signal_cell worker_kill 1
      signal_cell worker_stop 1
    done
    ;;
  signals)
    # The signal and death matrix: every delivery path ten times in a row.
    [ "$ranks" -ge 2 ] || { echo "PASS: $case needs a worker rank"; exit 0; }
    for round in $(seq 10); do
      for how in mpirun group rank0 every timeout double_sigint worker_kill worker_stop; do
        signal_cell $how $round
      done
    done
    ;;
  subcommands)
    # dump, diff, merge and modules are one process's work. Under mpirun every rank used to do
    # it: N copies of a listing, and N merges writing one output at once. Rank 0 does it alone,
    # says so once, and its exit code is the job's.
    "$mpitray" run "$pipelines/long.yaml" -q --set Generator.events=40 --set Writer.file=a.h5 >/dev/null 2>&1 \
      || fail "the first input"
    "$mpitray" run "$pipelines/long.yaml" -q --set Generator.events=40 --set Generator.first_event=40 \
      --set Writer.file=b.h5 >/dev/null 2>&1 || fail "the second input"
    "$mpitray" merge serial.h5 a.h5 b.h5 >/dev/null 2>&1 || fail "the serial merge"
    job -n "$ranks" "$mpitray" dump a.h5 --limit 3 >log 2>&1 || fail "dump under mpirun failed"
    [ "$(grep -c '^a.h5: ' log)" = 1 ] || fail "dump's listing came $(grep -c '^a.h5: ' log) times"
    job -n "$ranks" "$mpitray" merge dispatch.h5 a.h5 b.h5 >log 2>&1 || fail "merge under mpirun failed"
    "$mpitray" diff serial.h5 dispatch.h5 >/dev/null || fail "merge under mpirun wrote another file than merge alone"
    job -n "$ranks" "$mpitray" diff a.h5 b.h5 >log 2>&1
    code=$?
    [ $code -eq 1 ] || fail "diff of different files under mpirun exited $code, not 1"
    if [ "$ranks" -gt 1 ]; then
      [ "$(grep -c "runs on one process" log)" = 1 ] || fail "the note is missing or repeated"
    fi
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
