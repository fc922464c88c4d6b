#!/bin/bash
# usage: runsig.sh NAME MODE [mpirun options...]
name=$1; mode=$2; shift 2
export LOGDIR=${OUT:-/tmp/worker-death}/$name; rm -rf $LOGDIR; mkdir -p $LOGDIR
export T0=$(date +%s.%N)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
timeout -s KILL 90 mpirun --oversubscribe -n 3 -x LOGDIR -x T0 "$@" ./siglog $mode 2 2.0 > $LOGDIR/mpirun.out 2>&1
rc=$?
echo "t_ms=$(python3 -c "import time;print(int((time.time()-$T0)*1000))") mpirun exit $rc" >> $LOGDIR/mpirun.out
for f in $LOGDIR/rank*.log; do echo "== $f"; cat $f; done; echo "== mpirun"; cat $LOGDIR/mpirun.out
