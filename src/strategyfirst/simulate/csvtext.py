"""Vectorised CSV text: build each field as an Arrow string column, join, write the buffer (no row loops).

Real exports differ in how they quote (twcs quotes only where needed, X analytics quotes everything,
Facebook Insights quotes any field with a space), so the simulator formats fields itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NEEDS_QUOTE = r'[,"\r\n]'
NEEDS_QUOTE_OR_SPACE = r'[ ,"\r\n]'


def as_str(values: pa.Array | np.ndarray | Sequence[object]) -> pa.Array:
    """An Arrow string array from numbers or strings."""
    arr = values if isinstance(values, pa.Array) else pa.array(values)
    return arr if arr.type == pa.string() else pc.cast(arr, pa.string())


def quote_all(values: pa.Array) -> pa.Array:
    """Every value in double quotes, inner quotes doubled (X analytics style)."""
    escaped = pc.replace_substring(values, '"', '""')
    return pc.binary_join_element_wise('"', escaped, '"', "")


def quote_where(values: pa.Array, pattern: str = NEEDS_QUOTE) -> pa.Array:
    """Quote only the values matching `pattern` (a regex of characters that force quoting)."""
    if values.type == pa.null():  # a column of no rows built from an empty list (no posts in a small simulation)
        values = values.cast(pa.string())
    needs = pc.match_substring_regex(values, pattern)
    return pc.if_else(needs, quote_all(values), values)


def fixed_width(table: np.ndarray, index: np.ndarray) -> pa.Array:
    """Strings of one fixed width looked up from `table` (an 'S<w>' array) at `index`, built as raw bytes."""
    width = table.dtype.itemsize
    data = np.ascontiguousarray(table[index]).view(np.uint8)
    offsets = np.arange(len(index) + 1, dtype=np.int64) * width
    raw = pa.LargeStringArray.from_buffers(len(index), pa.py_buffer(offsets), pa.py_buffer(data))
    return raw.cast(pa.string())


def lines(columns: Sequence[pa.Array], eol: str = "\n") -> pa.Array:
    """One CSV line per row (fields already quoted); nulls must have been replaced by '' before."""
    joined = pc.binary_join_element_wise(*columns, ",")
    return pc.binary_join_element_wise(joined, eol, "")


def write_lines(fh: BinaryIO, text: pa.Array) -> int:
    """Write the concatenated bytes of a string array of lines; returns the number of bytes written."""
    if len(text) == 0:
        return 0
    arr = text.cast(pa.large_string()) if text.type != pa.large_string() else text
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    start, end = int(offsets[arr.offset]), int(offsets[arr.offset + len(arr)])
    data = arr.buffers()[2]
    assert data is not None
    fh.write(memoryview(data)[start:end])
    return end - start


def header(names: Sequence[str], *, style: str) -> str:
    """A header line: 'all' quotes every name, 'space' names with spaces, 'needed' only where CSV needs it."""
    def q(name: str) -> str:
        special = any(c in name for c in ',"\r\n') or (style == "space" and " " in name)
        if style == "all" or special:
            return '"' + name.replace('"', '""') + '"'
        return name

    return ",".join(q(n) for n in names)
