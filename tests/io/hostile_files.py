"""Writes hostile variants of a good frame file, with h5py alone, for hostile_input_test.sh.

usage: hostile_files.py GOOD.h5   (writes NAME.h5 into the current directory for every case below)

Each case is a copy of GOOD.h5 with one thing wrong that a damaged disk or a hostile writer could
produce: a dataset of the wrong rank or type, an index row that claims more bytes than the file
holds, or a frame whose own lengths (key count, key length, payload length) claim gigabytes,
with its CRC-32C recomputed so that the checksums pass and only the lengths are wrong.
"""
import shutil
import struct
import sys

import h5py
import numpy as np

GOOD = sys.argv[1]
FRAME = 3  # the frame the per-frame cases damage: a Q frame of the quickstart


def crc32c(data):
    """CRC-32C (Castagnoli, reflected 0x82F63B78), as in docs/file-format.md."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def copy(name):
    shutil.copyfile(GOOD, name + ".h5")
    return h5py.File(name + ".h5", "r+")


def replace(f, path, data, **options):
    del f[path]
    f.create_dataset(path, data=data, **options)


def set_row(f, frame, **fields):
    index = f["frames/index"]
    row = index[frame]
    for field, value in fields.items():
        row[field] = value
    index[frame] = row


# Datasets of the wrong rank or type: found when the file is opened.
with copy("index_2d") as f:
    rows = f["frames/index"][:]
    replace(f, "frames/index", np.stack([rows, rows], axis=1))
with copy("data_2d") as f:
    replace(f, "frames/data", f["frames/data"][:].reshape(-1, 1))
with copy("data_3d") as f:
    replace(f, "frames/data", f["frames/data"][:].reshape(-1, 1, 1))
with copy("index_4d") as f:
    replace(f, "frames/index", f["frames/index"][:].reshape(-1, 1, 1, 1))
with copy("data_scalar") as f:
    replace(f, "frames/data", np.uint8(0))
with copy("data_float") as f:
    replace(f, "frames/data", f["frames/data"][:].astype("<f8"))
with copy("data_uint32") as f:
    replace(f, "frames/data", f["frames/data"][:].astype("<u4"))
with copy("index_plain") as f:
    replace(f, "frames/index", f["frames/index"]["offset"])
with copy("index_float_offset") as f:
    old = f["frames/index"][:]
    dtype = [(n, "<f8" if n == "offset" else old.dtype[n]) for n in ("sequence", "stop", "offset", "length", "checksum")]
    new = np.zeros(old.shape, dtype=dtype)
    for n in new.dtype.names:
        new[n] = old[n]
    replace(f, "frames/index", new)
with copy("index_no_checksum") as f:
    old = f["frames/index"][:]
    new = np.zeros(old.shape, dtype=[(n, old.dtype[n]) for n in ("sequence", "stop", "offset", "length")])
    for n in new.dtype.names:
        new[n] = old[n]
    replace(f, "frames/index", new)

# Index rows that claim more than the data holds: found when that frame is read.
with copy("row_huge") as f:
    set_row(f, FRAME, length=2**62)
with copy("row_overflow") as f:  # offset + length wraps around 2^64 to a small number
    set_row(f, FRAME, offset=2**64 - 16, length=48)
with copy("row_sparse") as f:
    # The data's extent grown to 1 TiB without writing a byte: its chunks are not stored, the
    # file stays small, and the last frame claims 3.2 GB of them.
    data = f["frames/data"]
    end = data.shape[0]
    data.resize((2**40,))
    set_row(f, len(f["frames/index"]) - 1, offset=end, length=3_200_000_000)


# Frames whose own lengths claim gigabytes, with checksums that pass.
def patch_frame(name, change):
    with copy(name) as f:
        row = f["frames/index"][FRAME]
        start, length = int(row["offset"]), int(row["length"])
        raw = bytearray(f["frames/data"][start : start + length].tobytes())
        change(raw)
        crc = crc32c(bytes(raw[:-4]))
        raw[-4:] = struct.pack("<I", crc)
        f["frames/data"][start : start + length] = np.frombuffer(bytes(raw), dtype=np.uint8)
        set_row(f, FRAME, checksum=crc)


def key_count(raw):
    struct.pack_into("<I", raw, 8, 0xFFFFFFFF)


def key_length(raw):
    struct.pack_into("<I", raw, 12, 0xFFFFFFF0)


def payload_length(raw):
    (key,) = struct.unpack_from("<I", raw, 12)
    (type_name,) = struct.unpack_from("<I", raw, 16 + key)
    struct.pack_into("<Q", raw, 20 + key + type_name, 3 << 30)


patch_frame("frame_key_count", key_count)
patch_frame("frame_key_length", key_length)
patch_frame("frame_payload_length", payload_length)
