#!/usr/bin/python3
"""The best efficiency a dispatcher that does not know costs in advance can expect on given events.

Plays greedy list scheduling with no overhead: each event, in input order, goes to the worker that
becomes free first. Its efficiency, total cost / workers / the last worker's end, is what a
perfect dispatcher reaches on those very events; a long event that starts late caps it, whatever
the dispatcher does (docs/benchmarks.md, "Lognormal cost").

usage: bench/list_schedule_bound.py TABLE.h5 WORKERS [KEY]
         the events' costs from a TableWriter table (default key WorkCostMs), in input order
       bench/list_schedule_bound.py --sample SAMPLES EVENTS WORKERS SIGMA
         the bound's spread over random lognormal samples (mean 10 ms) of that size
"""
import heapq
import sys


def bound(costs, workers):
    free_at = [0.0] * workers
    for cost in costs:
        heapq.heappush(free_at, heapq.heappop(free_at) + cost)
    return sum(costs) / workers / max(free_at)


def costs_in(path, key="WorkCostMs"):
    """Each event's cost, in input order, from a TableWriter table."""
    import h5py

    with h5py.File(path, "r") as f:
        return [float(c) for c in f[key]["value"]]


def from_table(path, workers, key):
    costs = costs_in(path, key)
    if not costs or workers < 1:
        sys.exit("list_schedule_bound: no events, or no workers")
    print(f"{len(costs)} events on {workers} workers: the list-scheduling bound is {bound(costs, workers):.4f} of "
          f"ideal; longest event {max(costs):.1f} ms, mean {sum(costs) / len(costs):.2f} ms")


def sampled(samples, events, workers, sigma):
    import numpy

    rng = numpy.random.default_rng(0)
    mean_ms = 10.0
    bounds = numpy.array([bound(rng.lognormal(numpy.log(mean_ms) - 0.5 * sigma * sigma, sigma, events), workers)
                          for _ in range(samples)])
    p10, p50, p90 = numpy.percentile(bounds, [10, 50, 90])
    print(f"{samples} samples of {events} events on {workers} workers, lognormal sigma {sigma}: the bound's median "
          f"{p50:.4f}, 10th percentile {p10:.4f}, 90th {p90:.4f}; {numpy.mean(bounds >= 0.95):.0%} reach 0.95")


def main():
    args = sys.argv[1:]
    if len(args) == 5 and args[0] == "--sample":
        sampled(int(args[1]), int(args[2]), int(args[3]), float(args[4]))
    elif len(args) in (2, 3) and not args[0].startswith("-"):
        from_table(args[0], int(args[1]), args[2] if len(args) == 3 else "WorkCostMs")
    else:
        sys.exit(__doc__.strip())


if __name__ == "__main__":
    main()
