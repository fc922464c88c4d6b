#!/usr/bin/env bash
# Ranks on three "hosts": Linux network namespaces on this machine, each with a host name of its
# own, joined by veth pairs to a bridge on a private subnet, MPI over TCP only. mpirun starts its
# daemons there through netns_rsh instead of ssh.
#   equivalence:    the pipeline on 3 hosts writes what the serial run writes (small payloads, and 100 kB ones);
#   killed_worker:  a worker process killed with SIGKILL ends the job promptly, with a message
#                   naming the rank and its host; an output under its final name is not marked
#                   complete (mpirun ends the other ranks itself, so rank 0 may not get to
#                   close it: then only NAME.partial is left);
#   cut_link:       a worker's link cut while it holds packets: the watchdog names the rank, its
#                   host and the packets, writes what is complete, and every rank ends. mpirun
#                   itself then waits for the cut-off host's daemon until TCP gives up on it
#                   (Open MPI's oob_tcp_keepalive_* bound that where keepalive works; this sandbox's
#                   network stack did not end it within minutes): once every rank is gone, the
#                   test allows mpirun 20 s, then kills it and says so.
#   tcp_cost:       not a test but a measurement, for scripts/bench --rows scaling: rank 0's CPU per
#                   packet over TCP, rank 0 on one host and one worker on another, an empty inner
#                   section, frames of 1 KiB to 1 MiB (one line per size: "tcp_cost BYTES
#                   SECONDS_PER_PACKET PACKETS_PER_SECOND").
# Everything made here (namespaces, links, /etc/hosts lines) is removed at the end by name, and
# left-over processes by PID.
#
# usage: multihost_test.sh MPITRAY SOURCE_DIR WORK_DIR CASE
set -uo pipefail
mpitray=$1 src=$2 work=$3 case=$4
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! command -v unshare >/dev/null; then
  echo "SKIP: needs root, ip (iproute2) and unshare to make network namespaces"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
pipelines=$src/tests/dispatch/pipelines

tag=mt$(( $$ % 10000 ))        # names of everything made here start with it (<= 15 characters)
subnet=10.213.$(( $$ % 200 + 10 ))
bridge=${tag}br
hosts=("${tag}a" "${tag}b" "${tag}c")
marker="# mpitray multihost test $$"

mpirun_pids=()  # every mpirun this test started, for their session directories in /tmp
cleanup() {
  # This test's mpirun (and the timeout around it), found by the host list only it uses.
  for pid in $(pgrep -f -- "--host ${hosts[0]},"); do kill -KILL "$pid" 2>/dev/null; done
  # Open MPI's session directories: the fake hosts' by their names, mpirun's own by its PID.
  for host in "${hosts[@]}"; do rm -rf /tmp/ompi."$host".*; done
  for pid in "${mpirun_pids[@]}"; do rm -rf /tmp/ompi.*/pid."$pid"; done
  for host in "${hosts[@]}"; do
    # Processes left in a namespace (an orted whose link was cut): killed by PID.
    for pid in $(ip netns pids "$host" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$host" 2>/dev/null
    ip link del "${host}v" 2>/dev/null
  done
  ip link del "$bridge" 2>/dev/null
  sed -i "\|$marker\$|d" /etc/hosts
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- log:"; tail -n 40 log 2>/dev/null; exit 1; }

ip link add "$bridge" type bridge && ip link set "$bridge" up && ip addr add "$subnet.1/24" dev "$bridge" \
  || fail "cannot make the bridge"
i=10
for host in "${hosts[@]}"; do
  i=$((i + 1))
  ip netns add "$host" || fail "cannot make namespace $host"
  ip link add "${host}v" type veth peer name eth0 netns "$host" || fail "cannot make a veth pair for $host"
  ip link set "${host}v" master "$bridge" up
  ip -n "$host" addr add "$subnet.$i/24" dev eth0
  ip -n "$host" link set eth0 up
  ip -n "$host" link set lo up
  echo "$subnet.$i $host $marker" >> /etc/hosts
done

# MPI over TCP on the test subnet only; ranks on the three hosts, none on this one.
job() {
  timeout -k 5 150 mpirun --host "$(IFS=,; echo "${hosts[*]}")" -n "${job_ranks:-3}" --bind-to none \
    --mca plm_rsh_agent "$src/tests/multihost/netns_rsh" --mca plm_rsh_no_tree_spawn 1 \
    --mca btl tcp,self --mca btl_tcp_if_include "$subnet.0/24" --mca oob_tcp_if_include "$subnet.0/24" \
    --mca oob_tcp_keepalive_time 5 --mca oob_tcp_keepalive_intvl 2 --mca oob_tcp_keepalive_probes 3 \
    "$mpitray" "$@"
}
# Whether any mpitray process still runs on the three hosts.
ranks_alive() {
  local host pid
  for host in "${hosts[@]}"; do
    for pid in $(ip netns pids "$host" 2>/dev/null); do
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mpitray ] && return 0
    done
  done
  return 1
}
status_of() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1]).attrs['status'])" "$1"; }

case $case in
  equivalence)
    (sleep 1; pgrep -f -- "^mpirun --host ${hosts[0]}," > mpirun.pid) &
    "$mpitray" run -q "$pipelines/equivalence_inline.yaml" --set Writer.file=serial.h5 || fail "serial run"
    job run "$pipelines/equivalence.yaml" --set Writer.file="$work/hosts.h5" > log 2>&1 || fail "the 3-host run failed"
    # Rank 0 runs on the first host; the summary lists the workers with their hosts.
    for rank in 1 2; do
      grep -qE "^ +$rank +${hosts[$rank]} " log || fail "rank $rank did not report host ${hosts[$rank]}"
    done
    mpirun_pids+=($(cat mpirun.pid 2>/dev/null))
    "$mpitray" diff serial.h5 hosts.h5 || fail "the 3-host output differs from the serial run's"
    # Payloads of 100 kB travel over TCP as gaps of their own (protocol.md, "Large messages over MPI").
    large=(--set Generator.payload_bytes=100000)
    "$mpitray" run -q "$pipelines/equivalence_inline.yaml" "${large[@]}" --set Writer.file=serial_large.h5 ||
      fail "serial run, large payloads"
    job run "$pipelines/equivalence.yaml" "${large[@]}" --set Writer.file="$work/hosts_large.h5" > log_large 2>&1 ||
      { cat log_large; fail "the 3-host run with large payloads failed"; }
    "$mpitray" diff serial_large.h5 hosts_large.h5 || fail "with large payloads, the 3-host output differs from the serial run's"
    ;;
  killed_worker | cut_link)
    job run "$pipelines/long.yaml" -q --set Writer.file="$work/hosts.h5" --set Dispatch.packet_timeout=3 > log 2>&1 &
    job_pid=$!
    for _ in $(seq 50); do  # note mpirun's PID while it lives
      pid=$(pgrep -f -- "^mpirun --host ${hosts[0]},") && { mpirun_pids+=("$pid"); break; }
      sleep 0.1
    done
    victim=${hosts[2]}  # the third host runs rank 2, a worker
    for _ in $(seq 100); do  # until the victim's worker is busy
      [ -n "$(ip netns pids "$victim" 2>/dev/null)" ] && [ -e hosts.h5.partial ] && break
      sleep 0.2
    done
    sleep 2
    start=$(date +%s)
    if [ "$case" = killed_worker ]; then
      rank=$(for pid in $(ip netns pids "$victim"); do
               [ "$(cat /proc/$pid/comm 2>/dev/null)" = mpitray ] && echo "$pid"; done | head -1)
      [ -n "$rank" ] || fail "no mpitray process on $victim"
      kill -KILL "$rank"
    else
      ip link set "${victim}v" down
    fi
    ranks_gone=0
    for _ in $(seq 600); do
      kill -0 "$job_pid" 2>/dev/null || break
      if [ "$case" = cut_link ] && [ -e hosts.h5 ] && ! ranks_alive; then
        [ $ranks_gone = 0 ] && ranks_ended=$(( $(date +%s) - start ))
        if [ $((++ranks_gone)) -ge 200 ]; then
          echo "NOTE: every rank ended $ranks_ended s after the cut; mpirun still waited for the cut-off host's daemon 20 s later: killed it"
          for pid in $(pgrep -f -- "--host ${hosts[0]},"); do kill -KILL "$pid" 2>/dev/null; done
        fi
      fi
      sleep 0.1
    done
    kill -0 "$job_pid" 2>/dev/null && fail "the job still runs 60 s after the $case"
    wait "$job_pid"
    code=$?
    job_pid=
    elapsed=$(( $(date +%s) - start ))
    [ $code -ne 0 ] || fail "the job exited 0"
    [ "${ranks_ended:-$elapsed}" -le 30 ] || fail "the ranks took ${ranks_ended:-$elapsed} s to end"
    if [ "$case" = cut_link ]; then
      grep -qE "watchdog: rank 2 on $victim has sent nothing for .* while holding packet" log \
        || fail "the watchdog did not name rank 2 on $victim"
      [ -e hosts.h5 ] || fail "no closed output (only: $(ls))"
      [ "$(status_of hosts.h5)" = failed ] || fail "the output is marked '$(status_of hosts.h5)', not failed"
      outcome="output closed and marked failed"
    else
      grep -qE "rank 2 .*on node $victim exited on signal 9" log || fail "nothing names rank 2 on $victim"
      if [ -e hosts.h5 ]; then
        [ "$(status_of hosts.h5)" != complete ] || fail "the output is marked complete"
        outcome="output closed and marked $(status_of hosts.h5)"
      else
        outcome="only hosts.h5.partial left"
      fi
    fi
    echo "$case: the job ended $elapsed s later, exit code $code; $outcome"
    ;;
  tcp_cost)
    job_ranks=2  # rank 0 on the first host, its one worker on the second
    for size in 1024 4096 65536 262144 1048576; do
      events=$(( 400000000 / (size + 20000) ))  # about 1 to 20 s of rank 0 each
      cat > cost.yaml <<YAML
seed: 1
tray:
  - module: Generator
    params: {events: $events, payload_bytes: $((size - 145)), random_payload: false}
  - module: Dispatch
    params: {schedule: dynamic}
    inner: []
YAML
      job run cost.yaml -q --metrics "$work/cost.json" > log 2>&1 || fail "the TCP run of $size-byte frames failed"
      /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[2]))['dispatcher']
print('tcp_cost', sys.argv[1], d['cpu_seconds'] / d['packets'], d['packets_per_second'])" "$size" "$work/cost.json"
    done
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "PASS: multihost $case"
