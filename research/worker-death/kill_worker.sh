#!/bin/bash
# usage: kill_worker.sh BIN RUNS [mpirun options...]   kills rank 1 with SIGKILL 3 s into a run
bin=$1; runs=$2; shift 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p ${OUT:-/tmp/worker-death}/mt; d=$(mktemp -d ${OUT:-/tmp/worker-death}/mt/run.XXXX)
for i in $(seq $runs); do
  rm -f $d/out.h5 $d/out.h5.partial
  start=$(date +%s.%N)
  timeout -s KILL ${TIMEOUT:-60} mpirun --oversubscribe -n 3 "$@" $bin run "$(cd "$(dirname "$0")/../.." && pwd)/examples/dispatch.yaml" \
     --set Generator.events=2000000 --set Writer.file=$d/out.h5 --quiet > $d/log$i 2>&1 & mp=$!
  sleep ${KILL_AFTER:-3}
  victim=""
  mpr=$(pgrep -P $mp); for p in $(pgrep -P $mpr); do r=$(tr '\0' '\n' < /proc/$p/environ 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p'); [ "$r" = "${VICTIM:-1}" ] && victim=$p; done
  kt=$(date +%s.%N); kill -KILL $victim
  wait $mp; rc=$?
  el=$(python3 -c "print(round($(date +%s.%N)-$kt,2))")
  st=$(/usr/bin/python3 - $d <<'PY'
import sys,h5py,os
d=sys.argv[1]
for n in ("out.h5","out.h5.partial"):
    p=os.path.join(d,n)
    if not os.path.exists(p): continue
    try:
        f=h5py.File(p,"r"); a=f.attrs
        print(f"{n}: status={a.get('status')} reason={a.get('status_reason')!r} frames={a.get('frames')} input_frames={a.get('input_frames')} rows={f['frames/index'].shape[0]}")
    except Exception as e: print(f"{n}: UNREADABLE ({str(e).splitlines()[0][:60]})")
PY
)
  echo "run $i: exit $rc after ${el}s from the kill; $st"
  grep -E "error|rank|stop" $d/log$i | grep -v -- "----" | head -4 | sed 's/^/    /'
done
