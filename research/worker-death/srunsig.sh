#!/bin/bash
name=$1; shift
export LOGDIR=${OUT:-/tmp/worker-death}/$name; rm -rf $LOGDIR; mkdir -p $LOGDIR
export T0=$(date +%s.%N)
cd "$(dirname "$0")"; timeout -s KILL 90 srun -n 3 --mpi=pmix "$@" ./siglog sleep 2 2.0 > $LOGDIR/srun.out 2>&1
rc=$?
echo "t_ms=$(python3 -c "import time;print(int((time.time()-$T0)*1000))") srun exit $rc" >> $LOGDIR/srun.out
for f in $LOGDIR/rank*.log; do echo "== $f"; grep -v alive $f; grep alive $f | tail -1; done; echo "== srun"; cat $LOGDIR/srun.out
