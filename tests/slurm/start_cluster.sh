#!/usr/bin/env bash
# Starts a one-node SLURM cluster for the tests, in DIR: munged (as the munge user, on a socket
# of its own), slurmctld and slurmd, with ports of their own so a site's SLURM is left alone.
# Writes DIR/cluster.env (source it: SLURM_CONF for every client call) and DIR/pids (what to stop).
#
# usage: start_cluster.sh DIR     stop with: stop_cluster.sh DIR
set -euo pipefail
dir=$(realpath -m "$1")
mkdir -p "$dir"/{state,spool,munge,log}
host=$(hostname -s)
: > "$dir/pids"

# munged refuses keys and directories other users can touch; it runs as munge.
install -o munge -g munge -m 700 -d "$dir/munge"
key=/etc/munge/munge.key
if [ ! -r "$key" ]; then
  echo "start_cluster: $key is missing (the munge package creates it)" >&2
  exit 1
fi
runuser -u munge -- /usr/sbin/munged --socket="$dir/munge/socket" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/seed" --key-file="$key" --force
for _ in $(seq 50); do [ -s "$dir/munge/munged.pid" ] && break; sleep 0.1; done
echo "$(cat "$dir/munge/munged.pid") munged" >> "$dir/pids"

# Free ports the kernel picks, so that a site's slurmctld (6817) is left alone.
port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ctld_port=$(port)
slurmd_port=$(port)
cat > "$dir/slurm.conf" <<CONF
ClusterName=mpitraytest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=pmix
SlurmdParameters=config_overrides
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=30
MinJobAge=600
InactiveLimit=0
SchedulerParameters=sched_interval=1
NodeName=$host NodeAddr=127.0.0.1 CPUs=16 RealMemory=65536 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
echo "export SLURM_CONF=$dir/slurm.conf" > "$dir/cluster.env"
export SLURM_CONF=$dir/slurm.conf

/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" > "$dir/log/slurmctld.out" 2>&1 &
echo "$! slurmctld" >> "$dir/pids"
/usr/sbin/slurmd -D -f "$SLURM_CONF" > "$dir/log/slurmd.out" 2>&1 &
echo "$! slurmd" >> "$dir/pids"

for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
  case $state in idle*|mixed*|allocated*) echo "start_cluster: node $host is $state"; exit 0 ;; esac
  sleep 0.5
done
echo "start_cluster: the node did not come up (state '${state:-}'); logs in $dir/log:" >&2
tail -n 20 "$dir"/log/* >&2
exit 1
