"""Writes the fuzz targets' seed inputs from a frame file, into fuzz/corpus/ (checked in).

usage: /usr/bin/python3 fuzz/make_corpus.py FRAMES.h5 [PIPELINE.yaml ...]

frame_decoder: the first frame of each stop (a summary frame's too), each frame's encoded bytes as a file.
frame_file: the first 1, 3 and 8 frames in frame_file_fuzz.cpp's input layout (a row count,
29-byte index rows, the data).
pipeline: the given pipeline files, as they are.
"""
import os
import shutil
import struct
import sys

import h5py

source, pipelines = sys.argv[1], sys.argv[2:]
corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
for target in ("frame_decoder", "frame_file", "pipeline"):
    os.makedirs(os.path.join(corpus, target), exist_ok=True)

with h5py.File(source, "r") as f:
    index = f["frames/index"][:]
    data = f["frames/data"][:].tobytes()

seen = set()
# The first frames of each stop, and the summary frames (stop Z) at the end.
summaries = [row for row in index if row["stop"] in (b"Z", ord("Z"))][:1]
for row in list(index[:40]) + summaries:
    stop = bytes([row["stop"]]).decode() if isinstance(row["stop"], (int,)) else row["stop"].decode()
    if stop in seen:
        continue
    seen.add(stop)
    frame = data[row["offset"]:row["offset"] + row["length"]]
    with open(os.path.join(corpus, "frame_decoder", f"stop_{stop}"), "wb") as out:
        out.write(frame)

for count in (1, 3, 8):
    rows = index[:count]
    end = int(rows["offset"][-1] + rows["length"][-1])
    packed = bytes([count])
    for row in rows:
        stop = row["stop"] if isinstance(row["stop"], bytes) else bytes([row["stop"]])
        packed += struct.pack("<Q", int(row["sequence"])) + stop[:1] + struct.pack(
            "<QQI", int(row["offset"]), int(row["length"]), int(row["checksum"]))
    with open(os.path.join(corpus, "frame_file", f"frames_{count}"), "wb") as out:
        out.write(packed + data[:end])

for pipeline in pipelines:
    shutil.copyfile(pipeline, os.path.join(corpus, "pipeline", os.path.basename(pipeline)))
