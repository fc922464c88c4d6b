"""Reads icesim's frame files with h5py and numpy alone: no mpitray needed.

docs/file-format.md describes the bytes. The icesim objects are Boost binary archives of plain
structs: 5 bytes Boost writes before a struct's members, then the members in order, each vector
as an 8-byte count and its items. scripts/plot_icesim.py and tests/icesim/ use this module.
"""
import struct

import h5py
import numpy as np

BOOST_STRUCT_PREFIX = 5


def frame_objects(raw):
    """One encoded frame's own keys: {key: (type name, payload bytes)}."""
    (count,) = struct.unpack_from("<I", raw, 8)
    at, out = 12, {}
    for _ in range(count):
        fields = []
        for size_format in ("<I", "<I", "<Q"):  # key, type name, payload
            (n,) = struct.unpack_from(size_format, raw, at)
            at += struct.calcsize(size_format)
            fields.append(raw[at : at + n])
            at += n
        out[fields[0].decode()] = (fields[1].decode(), fields[2])
    return out


def frames(path, stops=None):
    """Yields (position, stop, {key: (type, payload)}) for the frames of a frame file, in order."""
    with h5py.File(path, "r") as f:
        index = f["frames/index"][:]
        data = f["frames/data"]
        for row in index:
            stop = row["stop"].decode()
            if stops and stop not in stops:
                continue
            raw = data[row["offset"] : row["offset"] + row["length"]].tobytes()
            yield int(row["sequence"]), stop, frame_objects(raw)


def event_number(objects):
    """The event number of a frame's own EventHeader (run, event, sub-event after Boost's 5 bytes)."""
    return struct.unpack_from("<q", objects["EventHeader"][1], BOOST_STRUCT_PREFIX + 8)[0]


def opening_angle(zenith1, azimuth1, zenith2, azimuth2):
    """Degrees between two directions given as zenith and azimuth in radians (numbers or arrays)."""
    c = np.sin(zenith1) * np.sin(zenith2) * np.cos(azimuth1 - azimuth2) + np.cos(zenith1) * np.cos(zenith2)
    return np.degrees(np.arccos(np.clip(c, -1, 1)))


def _vectors(payload, at, dtypes):
    out = []
    for dtype in dtypes:
        (n,) = struct.unpack_from("<Q", payload, at)
        at += 8
        out.append(np.frombuffer(payload, dtype=dtype, count=n, offset=at))
        at += n * np.dtype(dtype).itemsize
    return out, at


def decode(type_name, payload):
    """The value of an object: numbers, numpy arrays, or a dict for the icesim structs."""
    if type_name == "double":
        return struct.unpack("<d", payload)[0]
    if type_name == "int64":
        return struct.unpack("<q", payload)[0]
    if type_name in ("vector<int64>", "vector<double>"):
        return _vectors(payload, 0, ["<i8" if "int" in type_name else "<f8"])[0][0]
    if type_name == "IceGeometry":
        (string, om, x, y, z), _ = _vectors(payload, BOOST_STRUCT_PREFIX, ["<i8", "<i8", "<f8", "<f8", "<f8"])
        return {"string": string, "om": om, "x": x, "y": y, "z": z}
    if type_name == "PulseSeries":
        (module, time, charge), _ = _vectors(payload, BOOST_STRUCT_PREFIX, ["<i8", "<f8", "<f8"])
        return {"module": module, "time": time, "charge": charge}
    if type_name == "MuonTrack":
        names = ("x", "y", "z", "time", "zenith", "azimuth", "energy")
        return dict(zip(names, struct.unpack_from("<7d", payload, BOOST_STRUCT_PREFIX)))
    raise ValueError(f"no decoder for type {type_name!r}")
