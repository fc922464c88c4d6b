#!/usr/bin/python3
"""Rewrites a frame file so that each run of G, C, D frames that precedes a Q frame comes right
after that Q instead (Q G C D P P ...): metadata between a packet's start and its P frames.
Frames keep their bytes; only their order changes.   usage: reorder_frames.py IN OUT"""
import sys

import h5py
import numpy as np

src, dst = sys.argv[1], sys.argv[2]
with h5py.File(src, "r") as f:
    index = f["frames/index"][:]
    data = f["frames/data"][:]
    attrs = dict(f.attrs)
stops = [s.decode() for s in index["stop"]]
order, pending = [], []
for i, stop in enumerate(stops):
    if stop in "GCD" and i > 3:
        pending.append(i)
    elif stop == "Q":
        order.append(i)
        order.extend(pending)
        pending = []
    else:
        order.extend(pending)
        pending = []
        order.append(i)
order.extend(pending)
assert sorted(order) == list(range(len(stops)))
pieces, rows, offset = [], [], 0
for n, i in enumerate(order):
    row = index[i].copy()
    piece = data[row["offset"] : row["offset"] + row["length"]]
    row["sequence"], row["offset"] = n, offset
    offset += len(piece)
    pieces.append(piece)
    rows.append(row)
with h5py.File(dst, "w") as f:
    g = f.create_group("frames")
    g.create_dataset("data", data=np.concatenate(pieces), maxshape=(None,), chunks=True)
    g.create_dataset("index", data=np.array(rows, dtype=index.dtype), maxshape=(None,), chunks=True)
    for key, value in attrs.items():
        f.attrs[key] = value
moved = sum(1 for a, b in zip(order, order[1:]) if stops[a] == "Q" and stops[b] in "GCD")
print(f"reordered {len(order)} frames; metadata placed inside {moved} packets")
