#!/usr/bin/env bash
# The icesim campaign (examples/icesim.yaml) at a small size.
#   equivalence cases (dynamic, round_robin): RANKS ranks write the frame file and both table
#     files identical to the same modules run serially without Dispatch (serial.yaml);
#   resume: the same, for a run on RANKS ranks killed (SIGKILL, every process) after its first
#     checkpoint and resumed on another number of ranks: the source goes on at the right event;
#   slices: slices run separately and merged equal the whole sample;
#   tables, tables_no_room: photon tables shared and private against serial; too little room;
#   physics (physics_table: photons from the photon table): the output is readable with h5py
#     alone and makes physical sense (check_icesim.py), and scripts/plot_icesim.py draws the
#     demo's pictures from it.
#
# usage: icesim_test.sh ICESIM SOURCE_DIR WORK_DIR RANKS CASE
set -uo pipefail
icesim=$1 src=$2 work=$3 ranks=$4 case=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
files=(--set Writer.file=dispatch.h5 --set EventTables.file=dispatch_events.h5 --set PhysicsTables.file=dispatch_tables.h5)
# Under the sanitizers (scripts/sanitize) photon propagation is 20 times slower: the equivalence
# and slice cases run the same paths on a smaller sample there, still crossing four status
# intervals, with slice cuts inside an interval and on its edge. The normal suite runs full size.
events=160 status_every=40 calibration_every=30 cuts=(0:50 50:70 120:40)
[ -n "${MPITRAY_SANITIZED:-}" ] && events=64 status_every=16 calibration_every=12 cuts=(0:20 20:28 48:16)

case $case in
  dynamic | round_robin | resume)
    size=(--set IceSimSource.events=$events --set IceSimSource.status_every=$status_every)
    schedule=dynamic
    [ "$case" = round_robin ] && schedule=round-robin
    "$icesim" run -q "$src/tests/icesim/serial.yaml" "${size[@]}" || exit 1
    if [ "$case" = resume ]; then
      run=(run -q "$src/examples/icesim.yaml" "${size[@]}" "${files[@]}" --set Dispatch.checkpoint_seconds=0.2)
      mpirun -n "$ranks" "$icesim" "${run[@]}" 2>killed.log &
      job=$!
      for _ in $(seq 300); do  # until the first checkpoint (the writer's lock is its own: skip HDF5's)
        HDF5_USE_FILE_LOCKING=FALSE /usr/bin/python3 -c "import h5py,sys; f=h5py.File('dispatch.h5.partial', 'r', swmr=True); sys.exit(len(f['checkpoints/rows']) == 0)" 2>/dev/null && break
        sleep 0.1
      done
      victims=""  # every process of this run: mpirun and its ranks, which run here
      for p in $(pgrep -f "$icesim run"); do [ "$(readlink "/proc/$p/cwd")" = "$work" ] && victims="$victims $p"; done
      kill -KILL $victims
      wait $job 2>/dev/null
      [ -e dispatch.h5.partial ] || { cat killed.log; echo "FAIL: the run ended before it was killed"; exit 1; }
      again=$(( ranks == 2 ? 3 : 2 ))
      mpirun -n $again "$icesim" "${run[@]}" --resume 2>resume.log || { cat resume.log; echo "FAIL: resume"; exit 1; }
      grep -o "resume: .*" resume.log
    else
      mpirun -n "$ranks" "$icesim" run -q "$src/examples/icesim.yaml" "${size[@]}" "${files[@]}" \
        --set Dispatch.schedule=$schedule || exit 1
    fi
    "$icesim" diff icesim.h5 dispatch.h5 || { echo "FAIL: the frame file at $ranks ranks differs from serial"; exit 1; }
    /usr/bin/python3 - <<'PY' || exit 1
import h5py
import numpy as np
for serial, dispatch in (("icesim_events.h5", "dispatch_events.h5"), ("icesim_tables.h5", "dispatch_tables.h5")):
    with h5py.File(serial, "r") as a, h5py.File(dispatch, "r") as b:
        assert sorted(a) == sorted(b), (serial, sorted(a), sorted(b))
        for table in a:
            assert a[table].dtype == b[table].dtype, (table, a[table].dtype, b[table].dtype)
            assert np.array_equal(a[table][:], b[table][:]), f"table {table} of {dispatch} differs from {serial}"
        print(f"{dispatch}: tables {sorted(a)} identical to the serial run's")
# The summaries, merged across the workers, read with h5py: the serial run's, and what the event
# table counts.
def datasets(group, prefix=""):
    out = {}
    for name, item in group.items():
        if isinstance(item, h5py.Group):
            out.update(datasets(item, prefix + name + "/"))
        else:
            out[prefix + name] = item[()]
    return out
with h5py.File("icesim.h5", "r") as a, h5py.File("dispatch.h5", "r") as b, h5py.File("dispatch_events.h5", "r") as e:
    serial, merged = datasets(a["summaries"]), datasets(b["summaries"])
    assert sorted(serial) == sorted(merged), (sorted(serial), sorted(merged))
    for name in serial:
        assert np.array_equal(serial[name], merged[name]), f"summary {name} differs from the serial run's"
    muons, passed = len(e["MCMuon"]), int(e["Trigger"]["passed"].sum())
    assert merged["IceSimSource/generated"] == muons and merged["Trigger/events"] == muons, (merged["IceSimSource/generated"], muons)
    assert merged["Trigger/triggered"] == passed, (merged["Trigger/triggered"], passed)
    assert merged["Trigger/log10_energy/counts"].sum() + merged["Trigger/log10_energy/flow_counts"].sum() == passed
    print(f"summaries: {len(merged)} datasets identical to the serial run's; {passed} of {muons} muons triggered")
PY
    ;;
  slices)
    # The sample cut into three slices (first_event), run on RANKS ranks, merged: the frames of
    # the whole sample run serially. Cuts inside a status and a calibration interval (50) and on
    # the edge of both (120).
    size=(--set IceSimSource.status_every=$status_every --set IceSimSource.calibration_every=$calibration_every)
    "$icesim" run -q "$src/tests/icesim/serial.yaml" "${size[@]}" --set IceSimSource.events=$events || exit 1
    parts=()
    for cut in "${cuts[@]}"; do
      first=${cut%:*} events=${cut#*:}
      mpirun -n "$ranks" "$icesim" run -q "$src/examples/icesim.yaml" "${size[@]}" --set IceSimSource.first_event=$first \
        --set IceSimSource.events=$events --set Writer.file=slice$first.h5 --set EventTables.file=events$first.h5 \
        --set PhysicsTables.file=tables$first.h5 || exit 1
      parts+=(slice$first.h5)
    done
    "$icesim" merge merged.h5 "${parts[@]}" || exit 1
    "$icesim" diff icesim.h5 merged.h5 || { echo "FAIL: slices at $ranks ranks, merged, differ from the whole sample"; exit 1; }
    ;;
  tables)
    # Photon tables (PhotonPropagator mode 'table') with the Calibration, and so the table,
    # changing mid-stream: RANKS ranks with node-shared and with private tables write what the
    # serial run writes; shared, each generation is built once on this host and mapped by every
    # other worker, private, built by every worker; no table file is left behind.
    size=(--set IceSimSource.events=$events --set IceSimSource.status_every=$status_every
          --set IceSimSource.calibration_every=$calibration_every --set PhotonPropagator.mode=table
          --set PhotonPropagator.table_mb=2)
    shm=$(mktemp -d /dev/shm/mpitray-icesim-test.XXXXXX) || exit 1
    trap 'rm -rf "$shm"' EXIT
    "$icesim" run -q "$src/tests/icesim/serial.yaml" "${size[@]}" || exit 1
    for tables in shared private; do
      mpirun -n "$ranks" "$icesim" run -q "$src/examples/icesim.yaml" "${size[@]}" "${files[@]}" \
        --tables $tables --table-dir "$shm" --metrics $tables.json || exit 1
      "$icesim" diff icesim.h5 dispatch.h5 ||
        { echo "FAIL: $tables tables at $ranks ranks: the frame file differs from serial"; exit 1; }
      [ -z "$(ls -A "$shm")" ] || { echo "FAIL: table files left behind: $(ls "$shm")"; exit 1; }
      /usr/bin/python3 - $tables.json $tables $ranks $events $calibration_every <<'PY' || exit 1
import json, sys
path, mode, ranks, events, every = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
metrics = json.load(open(path))
workers = max(1, ranks - 1)
generations = (events + every - 1) // every
tables = metrics["tables"]
assert [t["generation"] for t in tables] == list(range(1, generations + 1)), tables
for t in tables:
    assert t["name"] == "icesim.photon_table", t
    shared = mode == "shared" and ranks > 1  # one rank keeps its tables in its own memory
    assert t["shared"] == shared, t
    builders = 1 if shared else workers
    assert len(t["built_by"]) == builders, f"generation {t['generation']} built {len(t['built_by'])} times: {t}"
    assert t["mapped_by"] == workers - builders, t
print(f"{path}: {generations} generations, each built {builders} time(s) on {workers} worker(s)")
PY
    done
    ;;
  tables_no_room)
    # A photon table larger than the memory file system's free space: a clear error naming the
    # room there is and what to do, the output closed as failed, no table file left, and no worker
    # crashing on the Q frames after the Calibration whose table it could not build.
    shm=$(mktemp -d /dev/shm/mpitray-icesim-test.XXXXXX) || exit 1
    trap 'rm -rf "$shm"' EXIT
    # Twice the free space: the table's shape rounds its size down, a little over would fit.
    free_mib=$(( $(stat -f -c '%a * %S' "$shm") / 1048576 ))
    mpirun -n "$ranks" "$icesim" run -q "$src/examples/icesim.yaml" --set IceSimSource.events=40 "${files[@]}" \
      --set PhotonPropagator.mode=table --set PhotonPropagator.table_mb=$((2 * free_mib)) --table-dir "$shm" \
      >out.txt 2>&1 && { cat out.txt; echo "FAIL: a table larger than $shm's free space did not fail the run"; exit 1; }
    cat out.txt
    grep -q "cannot build table 'icesim.photon_table'.*MiB free. Give the node's memory file system more room" out.txt ||
      grep -q "cannot build table 'icesim.photon_table'.*MiB of memory available" out.txt ||
      { echo "FAIL: no clear message"; exit 1; }
    ! grep -qi "segmentation fault\|signal 11" out.txt || { echo "FAIL: a worker crashed"; exit 1; }
    "$icesim" dump dispatch.h5 | grep -q "status failed" || { echo "FAIL: the output is not marked failed"; exit 1; }
    [ -z "$(ls -A "$shm")" ] || { echo "FAIL: table files left behind: $(ls "$shm")"; exit 1; }
    ;;
  physics | physics_table)
    # physics_table: the same checks with the photons drawn from the photon table, the
    # Calibration (and so the table) changing mid-stream.
    mode=()
    [ "$case" = physics_table ] && mode=(--set PhotonPropagator.mode=table --set PhotonPropagator.table_mb=16
                                        --set IceSimSource.calibration_every=200)
    "$icesim" run -q "$src/examples/icesim.yaml" --set IceSimSource.events=600 --set IceSimSource.status_every=150 \
      "${mode[@]}" --metrics metrics.json || exit 1
    /usr/bin/python3 "$src/tests/icesim/check_icesim.py" "$src/scripts" icesim.h5 icesim_events.h5 icesim_tables.h5 || exit 1
    # The demo's pictures, from the same files.
    /usr/bin/python3 "$src/scripts/plot_icesim.py" . || exit 1
    for png in angular_error event_display timeline summaries; do
      [ "$(stat -c %s $png.png 2>/dev/null || echo 0)" -gt 10000 ] || { echo "FAIL: $png.png missing or nearly empty"; exit 1; }
    done
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "PASS: icesim $case at $ranks ranks"
