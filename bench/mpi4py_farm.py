#!/usr/bin/python3
"""The dispatch benchmark's workload on mpi4py.futures: rank 0 maps a task over EVENTS payloads of
BYTES bytes, in order (MPIPoolExecutor.map, one task per event), each worker sleeps COST_MS and
returns the payload. Prints one line: events, seconds, events/s.

    mpirun -n N /usr/bin/python3 -m mpi4py.futures bench/mpi4py_farm.py EVENTS BYTES COST_MS
"""
import sys
import time

from mpi4py.futures import MPIPoolExecutor


def work(task):
    payload, cost_ms = task
    if cost_ms > 0:
        time.sleep(cost_ms / 1000.0)
    return payload


def main():
    events, size, cost_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    payload = b"x" * size
    with MPIPoolExecutor() as pool:
        pool.submit(work, (b"", 0)).result()  # workers up before the clock starts, as in the others
        start = time.perf_counter()
        done = sum(1 for _ in pool.map(work, ((payload, cost_ms) for _ in range(events))))
        seconds = time.perf_counter() - start
    print(f"mpi4py_farm events {done} seconds {seconds:.6f} events_per_second {done / seconds:.1f}")


if __name__ == "__main__":
    main()
