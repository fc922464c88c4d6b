#!/usr/bin/python3
"""Reads an mpitray frame file with h5py alone (no mpitray) and checks what docs/file-format.md
promises: the attributes, an index whose rows tile the data, and each frame's magic and length.

usage: check_with_h5py.py FILE EXPECTED_STATUS [whole]

With `whole`, the file must also hold exactly `input_frames` frames (one output frame per input
frame, as the stop tests' pipelines write).
"""
import struct
import sys

import h5py
import numpy as np

path, expected_status = sys.argv[1], sys.argv[2]
whole = sys.argv[3:] == ["whole"]
with h5py.File(path, "r") as f:
    attrs = dict(f.attrs)
    for name in ("format", "format_version", "mpitray_version", "pipeline", "seed", "status", "frames", "input_frames"):
        assert name in attrs, f"attribute {name} missing: {sorted(attrs)}"
    assert attrs["format"] == "mpitray frame file", attrs["format"]
    assert attrs["status"] == expected_status, f"status {attrs['status']!r}, expected {expected_status!r}"
    index = f["frames/index"][:]
    data = f["frames/data"]
    assert list(index.dtype.names) == ["sequence", "stop", "offset", "length", "checksum"], index.dtype
    assert len(index) == attrs["frames"], (len(index), attrs["frames"])
    if whole:
        assert attrs["frames"] == attrs["input_frames"], \
            f"the file holds {attrs['frames']} frames but says input_frames {attrs['input_frames']}"
    assert np.array_equal(index["sequence"], np.arange(len(index)))
    ends = index["offset"] + index["length"]
    assert np.array_equal(index["offset"][1:], ends[:-1]), "frames are back to back"
    assert (ends[-1] if len(index) else 0) == data.shape[0]
    for row in index[:: max(1, len(index) // 50)]:
        raw = data[row["offset"] : row["offset"] + row["length"]].tobytes()
        assert raw[:4] == b"MTFR", raw[:4]
        assert raw[6:7] == row["stop"], (raw[6:7], row["stop"])
        assert struct.unpack("<I", raw[-4:])[0] == row["checksum"]
print(f"h5py: {path}: {len(index)} frames, status {attrs['status']}, stops {bytes(index['stop'][:8].tobytes())!r}...")
