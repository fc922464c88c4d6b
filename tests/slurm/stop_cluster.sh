#!/usr/bin/env bash
# Stops what start_cluster.sh DIR started, by the PIDs it recorded: TERM, then KILL.
#   usage: stop_cluster.sh DIR
dir=$1
[ -f "$dir/pids" ] || exit 0
# Jobs first, while the daemons still run: slurmd's job steps (slurmstepd, srun, the ranks) do not
# end with slurmd itself.
if [ -f "$dir/slurm.conf" ]; then
  export SLURM_CONF=$dir/slurm.conf
  scancel --quiet --full --signal=KILL --partition=test 2>/dev/null
  for _ in $(seq 60); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.5
  done
fi
while read -r pid name; do
  kill -TERM "$pid" 2>/dev/null
done < "$dir/pids"
for _ in $(seq 50); do
  alive=0
  while read -r pid name; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$dir/pids"
  [ $alive = 0 ] && break
  sleep 0.1
done
while read -r pid name; do
  kill -0 "$pid" 2>/dev/null && { echo "stop_cluster: $name ($pid) did not stop; killing it" >&2; kill -KILL "$pid"; }
done < "$dir/pids"
rm -f "$dir/pids"
exit 0
