#!/bin/bash
# usage: killtest.sh MODE INTERVAL RUNS
mode=$1; iv=$2; runs=$3; d=./kt-$mode-$iv; mkdir -p $d
for i in $(seq $runs); do
  f=$d/run$i.h5; rm -f $f
  ./h5w $f $mode $iv 60 > $d/run$i.out 2>&1 & pid=$!
  s=$(python3 -c "import random;print(round(random.uniform(0.3,4.0),2))"); sleep $s; kill -KILL $pid; wait $pid 2>/dev/null
  ck=$(grep checkpoint $d/run$i.out | tail -1 | awk '{print $2}'); ck=${ck:-0}
  echo "run $i kill@${s}s: $(/usr/bin/python3 check.py $f $ck 2>&1 | tail -1)"
  rm -f $f
done
