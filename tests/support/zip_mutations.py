"""Damaged zips, made from a valid extension zip: seeded random mutations and hand-made cases.

The package checks must end every one of them in a verdict (exit 0 or 2), never in a crash.
"""

from __future__ import annotations

import json
import random
import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.zips import MANIFEST, write_zip

# The central directory's and the local header's field offsets (APPNOTE 4.3.7 and 4.3.12).
CD_EXTRACT_VERSION = 6
CD_FLAGS = 8
CD_NAME_LENGTH = 28
CD_EXTRA_LENGTH = 30
CD_HEADER_OFFSET = 42
CD_FIXED_SIZE = 46
LH_FLAGS = 6
LH_FIXED_SIZE = 30
UTF8_NAME_FLAG = 0x800

_SIGNATURES = re.compile(rb"PK(?:\x01\x02|\x03\x04|\x05\x06|\x06\x06|\x06\x07)")
# Values that sit on the edges of what zip readers handle.
_EDGE_VALUES = (0, 1, 8, 9, 12, 14, 20, 45, 63, 64, 99, 0x800, 0x8000, 0xFFFF, 0xFFFF_FFFF)


def extension_files() -> dict[str, bytes | str]:
    """A small localised extension, so that both manifest.json and messages.json are read."""
    manifest = {**MANIFEST, "name": "__MSG_name__", "default_locale": "en"}
    return {
        "manifest.json": json.dumps(manifest),
        "background.js": "console.log('hi');\n" * 20,
        "_locales/en/messages.json": json.dumps({"name": {"message": "E2E Test Extension"}}),
    }


def seed_zips(folder: Path) -> dict[str, bytes]:
    """The same extension zipped several ways: each way has its own code paths to break."""
    files = extension_files()
    methods = {
        "deflated": zipfile.ZIP_DEFLATED,
        "stored": zipfile.ZIP_STORED,
        "lzma": zipfile.ZIP_LZMA,
        "bzip2": zipfile.ZIP_BZIP2,
    }
    seeds = {
        label: write_zip(folder / f"seed-{label}.zip", files, method).read_bytes()
        for label, method in methods.items()
    }
    seeds["zip64"] = zip64ify(seeds["deflated"])
    return seeds


def zip64ify(data: bytes) -> bytes:
    """The zip with its end record moved into Zip64 records, as large-archive tools write it."""
    end = data.rindex(b"PK\x05\x06")
    _, _, _, _, count, size, offset, _ = struct.unpack_from("<IHHHHIIH", data, end)
    body = data[:end]
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, len(body), 1)
    classic = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0
    )
    return body + record + locator + classic


def central_entries(data: bytes) -> list[int]:
    """Where each central directory entry starts."""
    return [m.start() for m in re.finditer(rb"PK\x01\x02", data)]


def set_field(data: bytes, offset: int, value: int, width: int) -> bytes:
    """The zip with a little-endian field of *width* bytes at *offset* set to *value*."""
    out = bytearray(data)
    out[offset : offset + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    return bytes(out)


def mutate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One random mutation of *data*, with a label saying what it did."""
    out = bytearray(data)
    kind = rng.choice(("set", "flip", "truncate", "delete", "insert", "field", "field"))
    at = rng.randrange(len(out))
    if kind == "set":
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
    elif kind == "flip":
        out[at] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del out[at:]
    elif kind == "delete":
        del out[at : at + rng.randint(1, 16)]
    elif kind == "insert":
        out[at:at] = rng.randbytes(rng.randint(1, 16))
    else:
        start = rng.choice([m.start() for m in _SIGNATURES.finditer(data)])
        offset = rng.randrange(4, 46)
        width = rng.choice((1, 2, 4, 8))
        value = rng.choice((*_EDGE_VALUES, rng.getrandbits(8 * width)))
        what = f"field +{offset} of the header at {start} = {value:#x}"
        return what, set_field(data, start + offset, value, width)
    return f"{kind} at {at}", bytes(out)


def mutations(seeds: dict[str, bytes], count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """*count* mutated zips, the same ones for the same *seed*: (label, bytes)."""
    rng = random.Random(seed)
    for index in range(count):
        name = rng.choice(sorted(seeds))
        what, data = mutate(rng, seeds[name])
        yield f"case {index}: {name} zip, {what}", data
