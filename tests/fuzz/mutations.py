"""Seeded mutations of an export file's bytes: what real files suffer on their way to an analyst.

Each mutation takes the original bytes, what the file is (its text encoding and delimiter, or JSON) and a
seeded `random.Random`, and returns the mutated bytes with the way its stored rows can be checked against
the original (`Check`).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """How the original file is written."""

    encoding: str = "utf-8"      # as Python names it; "utf-8-sig" for a BOM
    delimiter: str = ","
    json: bool = False


@dataclass(frozen=True)
class Check:
    """How stored rows compare with the original file's rows after a successful import.

    mode: "exact" every stored row equals the original's row of that id; "nullable" equal or null (a
    dropped column); "one_row" exact except at most one row whose figures (not its text) are still exact (a
    bare CR split one row); "ids" every stored id is one of the original's; "none" no row check (flipped
    bytes may make another valid value). `text` maps an original text to what a faithful import stores (a
    lossy re-encoding replaces what the encoding cannot write); `newlines`: texts compare with CRLF read as LF
    (line ends were switched). `must_fail` / `must_import`: the spec says refuse / import the file.
    """

    mode: str = "exact"
    text: Callable[[str], str] | None = None
    newlines: bool = False
    must_fail: bool = False
    must_import: bool = False


Mutation = Callable[[bytes, Shape, random.Random], tuple[bytes, Check]]


def _text(data: bytes, shape: Shape) -> str:
    return data.decode(shape.encoding)


def _table(data: bytes, shape: Shape) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(data, shape), newline=""), delimiter=shape.delimiter))


def _write(rows: list[list[str]], shape: Shape, crlf: bool) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=shape.delimiter, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return buf.getvalue().encode(shape.encoding)


def truncate(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """Cut at a random byte (a download or copy that stopped): no half row may land."""
    return data[: rng.randrange(1, len(data))], Check("exact")


def truncate_row_end(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """Cut one to a few bytes before the end of a random data line: the last field shortened or emptied
    (`119287` cut to `1192`, `1849` to ``), the case where a half row passed for a whole one."""
    quoted, ends, line = False, [], 0
    for pos, byte in enumerate(data):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x0A and not quoted:
            line += 1
            if line >= 2:
                ends.append(pos - (data[pos - 1] == 0x0D))
    if not ends or shape.json:
        return truncate(data, shape, rng)
    end = rng.choice(ends)
    return data[: max(1, end - rng.randint(1, 4))], Check("exact")


def flip(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """One to four random bytes overwritten with random values."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf), Check("none")


def _columns(data: bytes, shape: Shape, rng: random.Random, how: str) -> tuple[bytes, Check]:
    if shape.json:
        return truncate(data, shape, rng)
    rows = _table(data, shape)
    width = len(rows[0])
    i = rng.randrange(width)
    if how == "drop":
        out = [r[:i] + r[i + 1:] for r in rows]
        check = Check("nullable")
    elif how == "duplicate":
        out = [[*r, r[i] if i < len(r) else ""] for r in rows]
        check = Check("exact", must_import=True)
    else:
        order = list(range(width))
        rng.shuffle(order)
        out = [[r[j] if j < len(r) else "" for j in order] for r in rows]
        check = Check("exact", must_import=True)
    return _write(out, shape, b"\r\n" in data), check


def drop_column(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """A column removed (a re-saved file, an older export): its figures are not given."""
    return _columns(data, shape, rng, "drop")


def duplicate_column(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """A column repeated at the end (a header name twice): read the first."""
    return _columns(data, shape, rng, "duplicate")


def shuffle_columns(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """Columns in another order: found by name."""
    return _columns(data, shape, rng, "shuffle")


def bom(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """A UTF-8 byte order mark in front (Excel writes one), or a second one where the file had one."""
    return b"\xef\xbb\xbf" + data, Check("exact", must_import=shape.encoding.startswith("utf-8"))


def nuls(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """NUL bytes at random places (a disk or transfer fault)."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        buf.insert(rng.randrange(1, len(buf)), 0)
    return bytes(buf), Check("ids")


def bare_cr(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """A bare CR inside an unquoted field of a data line (pandas writes such files)."""
    if shape.json:
        return crlf(data, shape, rng)
    quoted, places, line = False, [], 0
    for pos, byte in enumerate(data):
        if byte == 0x22:
            quoted = not quoted
        elif byte in (0x0A, 0x0D) and not quoted:
            line += byte == 0x0A
        elif not quoted and line >= 1 and data[pos - 1] not in b",;\r\n\"" and byte not in b",;\"":
            places.append(pos)
    if not places:
        return truncate(data, shape, rng)
    at = rng.choice(places)
    return data[:at] + b"\r" + data[at:], Check("one_row", must_import=True)


def giant_fields(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """A line of 10,001 to 100,000 fields after the header: refused within seconds (data.md limits)."""
    n = rng.choice((10_001, 30_000, 100_000))
    cut = data.index(b"\n") + 1 if b"\n" in data else len(data)
    line = (shape.delimiter * n + "\n").encode(shape.encoding.replace("-sig", ""))
    return data[:cut] + line + data[cut:], Check("exact", must_fail=True)


def giant_field(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """One quoted field over 1 MB on the second line: refused within seconds (data.md limits)."""
    cut = data.index(b"\n") + 1 if b"\n" in data else len(data)
    field = '"' + "x" * (1_048_576 + rng.randrange(1000)) + '"'
    line = (field + shape.delimiter + "1\n").encode(shape.encoding.replace("-sig", ""))
    return data[:cut] + line + data[cut:], Check("exact", must_fail=True)


def _recode(data: bytes, shape: Shape, encoding: str, lossy: bool) -> tuple[bytes, Check]:
    text = _text(data, shape)
    out = text.encode(encoding, errors="replace" if lossy else "strict")
    if not lossy:
        return out, Check("exact", must_import=True)
    return out, Check("exact", text=lambda s: s.encode(encoding, errors="replace").decode(encoding),
                      must_import=True)


def utf16(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """Re-saved as UTF-16 with a BOM (Excel's "Unicode text")."""
    return _recode(data, shape, "utf-16", lossy=False)


def utf16_odd(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """UTF-16 with an odd number of bytes (cut one byte short): undecodable, one line naming the offset."""
    out, _ = _recode(data, shape, "utf-16", lossy=False)
    return out[:-1], Check("exact", must_fail=True)


def cp1252(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """Re-saved as Windows-1252 (what cannot be written becomes '?')."""
    return _recode(data, shape, "cp1252", lossy=True)


def latin1(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """Re-saved as Latin-1 (what cannot be written becomes '?')."""
    return _recode(data, shape, "latin-1", lossy=True)


def crlf(data: bytes, shape: Shape, rng: random.Random) -> tuple[bytes, Check]:
    """Line ends switched between LF and CRLF (outside and inside quoted fields alike)."""
    if b"\r\n" in data:
        return data.replace(b"\r\n", b"\n"), Check("exact", newlines=True, must_import=True)
    return data.replace(b"\n", b"\r\n"), Check("exact", newlines=True, must_import=True)


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate, "truncate_row_end": truncate_row_end, "flip": flip, "drop_column": drop_column,
    "duplicate_column": duplicate_column,
    "shuffle_columns": shuffle_columns, "bom": bom, "nuls": nuls, "bare_cr": bare_cr,
    "giant_fields": giant_fields, "giant_field": giant_field, "utf16": utf16, "utf16_odd": utf16_odd,
    "cp1252": cp1252, "latin1": latin1, "crlf": crlf,
}
