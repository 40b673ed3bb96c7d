"""What an export file's bytes are before anything parses them: not a text file at all (an archive, a
workbook, an image), or text in UTF-8, UTF-8 with BOM, UTF-16 or cp1252/Latin-1 — and, when it cannot be
decoded, the byte offset where it breaks.

Every refusal is one `ImportFileError` line a social media manager can act on; file bytes are never echoed.
"""

from __future__ import annotations

import codecs
import tempfile
import zipfile
from pathlib import Path

from strategyfirst.errors import ImportFileError, SourceDetectionError

CHUNK = 16 << 20
PROBE = 64 << 10  # bytes looked at to tell text from binary

# (magic prefix, what the file is, what to do) for formats people pick by mistake.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "is a gzip-compressed file, not a CSV or JSON export: decompress it and import the file inside"),
    (b"\xd0\xcf\x11\xe0", "is an Excel/Office document (.xls), not a CSV: open it and save it as CSV"),
    (b"%PDF", "is a PDF document, not an export file: download the platform's CSV or JSON export"),
    (b"\x89PNG", "is an image, not an export file: download the platform's CSV or JSON export"),
    (b"\xff\xd8\xff", "is an image, not an export file: download the platform's CSV or JSON export"),
    (b"GIF8", "is an image, not an export file: download the platform's CSV or JSON export"),
    (b"7z\xbc\xaf", "is a 7-Zip archive: extract it and import the files inside"),
    (b"Rar!", "is a RAR archive: extract it and import the files inside"),
    (b"PAR1", "is a Parquet file, not a CSV or JSON export: export it as CSV"),
    (b"SQLite format 3", "is a database file, not an export file: export its tables as CSV"),
)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def refuse_non_text(path: Path) -> None:
    """An empty file, an archive, a workbook or any other binary file is refused with what it is."""
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(str(path), "the file is empty (0 bytes): there is nothing to import; export it again",
                              1, 1)
    with path.open("rb") as fh:
        head = fh.read(PROBE)
    # A file of another kind is no known export (in a folder given to ingest: skipped, not failed).
    if head.startswith(ZIP_MAGIC):
        raise SourceDetectionError(str(path), _zip_message(path), 1, 1)
    for magic, message in MAGIC:
        if head.startswith(magic):
            raise SourceDetectionError(str(path), message, 1, 1)
    if utf16_without_bom(head) is None and _looks_binary(head):
        raise SourceDetectionError(str(path), "is a binary file, not a CSV or JSON export: check that you picked "
                                   "the export file itself", 1, 1)
    if not head.strip(b" \t\r\n\x0b\x0c") and size <= PROBE:
        raise ImportFileError(str(path), "the file holds only blank lines: there is nothing to import; "
                              "export it again", 1, 1)


def _zip_message(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "is a zip archive (a damaged one): download it again, unzip it and import the files inside"
    if "xl/workbook.xml" in names:
        return "is an Excel workbook (.xlsx), not a CSV: open it and save it as CSV, or download the CSV export"
    return "is a zip archive: unzip it and import the files inside"


def _looks_binary(head: bytes) -> bool:
    """Many NULs or other control characters: no export in a text encoding has them (a stray one or two
    are a value's problem, not the file's)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), 11, 14, *range(16, 27), *range(28, 32)))
    return controls > max(len(head) // 20, 8)


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for UTF-16 text written without a BOM (mostly ASCII: every other byte NUL)."""
    sample = head[: 4096 - 4096 % 2]
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    even_nul = sum(1 for i in range(0, len(sample), 2) if sample[i] == 0)
    odd_nul = sum(1 for i in range(1, len(sample), 2) if sample[i] == 0)
    if odd_nul >= 0.6 * pairs and even_nul <= 0.05 * pairs:
        return "utf-16-le"
    if even_nul >= 0.6 * pairs and odd_nul <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _utf8_problem(path: Path) -> tuple[int, int] | None:
    """Byte offset and byte of the first invalid UTF-8 sequence, or None when the file is valid UTF-8 (but for
    a multi-byte character cut by the end of the file: the CSV reader rejects that last row as truncated)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if chunk.isascii() and not decoder.getstate()[0]:  # nothing pending: ASCII is valid UTF-8
                offset += len(chunk)
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:  # exc.object is the decoder's buffered bytes + this chunk
                return offset + len(chunk) - len(exc.object) + exc.start, exc.object[exc.start]
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:  # a character cut by the end of the file: its row is a truncated one
            return None
    return None


def locate(path: Path, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of a byte offset, read in chunks."""
    line, last_nl, pos = 1, -1, 0
    with path.open("rb") as fh:
        while pos < offset and (chunk := fh.read(min(CHUNK, offset - pos))):
            line += chunk.count(b"\n")
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                last_nl = pos + nl
            pos += len(chunk)
    return line, offset - last_nl


def detect_encoding(path: Path) -> str:
    """The file's encoding; a UTF-8 file with one broken byte is an error, not silently re-read as cp1252."""
    with path.open("rb") as fh:
        head = fh.read(PROBE)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if not head.startswith(codecs.BOM_UTF8) and (utf16 := utf16_without_bom(head)):
        return utf16
    problem = _utf8_problem(path)
    if head.startswith(codecs.BOM_UTF8):
        if problem is None:
            return "utf-8-sig"
        raise _broken_utf8(path, problem)
    if problem is None:
        return "utf-8"
    # No valid multi-byte sequence before the bad byte: a single-byte Windows/Latin-1 export.
    with path.open("rb") as fh:
        data = fh.read(min(problem[0], CHUNK))
    if all(b < 0x80 for b in data):
        return "cp1252"
    try:
        data.decode("utf-8")
        has_multibyte = True
    except UnicodeDecodeError:
        has_multibyte = False
    if has_multibyte:
        raise _broken_utf8(path, problem)
    return "cp1252"


def _broken_utf8(path: Path, problem: tuple[int, int]) -> ImportFileError:
    offset, byte = problem
    line, col = locate(path, offset)
    return ImportFileError(str(path), f"is UTF-8 text with a byte that is not UTF-8 (0x{byte:02x}) at byte "
                           f"offset {offset:,}: the file is damaged or mixes encodings; re-export it or re-save it "
                           "as UTF-8 (this file was not imported)", line, col)


def transcode(path: Path, encoding: str, tmp_dir: Path) -> Path:
    """A UTF-8 copy of a file in another encoding (streamed in chunks); an undecodable byte is an error naming
    its byte offset, and leaves no copy behind."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="import-", suffix=".csv", dir=tmp_dir)
    out = Path(name)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    fallback = codecs.getincrementaldecoder("latin-1")()
    offset, lines = 0, 1
    try:
        with path.open("rb") as src, open(fd, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:  # cp1252 leaves five bytes undefined: Latin-1 maps every byte
                    if encoding != "cp1252":
                        at = offset + len(chunk) - len(exc.object) + exc.start
                        raise _undecodable(path, encoding, at, exc, lines) from None
                    text = fallback.decode(chunk)
                dst.write(text)
                lines += text.count("\n")
                offset += len(chunk)
            try:
                dst.write(decoder.decode(b"", final=True))
            except UnicodeDecodeError as exc:
                raise _undecodable(path, encoding, offset - len(exc.object) + exc.start, exc, lines) from None
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def _undecodable(path: Path, encoding: str, offset: int, exc: UnicodeDecodeError, lines: int) -> ImportFileError:
    name = "UTF-16" if encoding.startswith("utf-16") else encoding
    reason = exc.reason
    line = lines + exc.object[:exc.start].decode(encoding, errors="ignore").count("\n")
    if "surrogate" in reason:
        what = "a broken character (an unpaired UTF-16 surrogate)"
    elif "truncated" in reason or "end of data" in reason:
        what = "an incomplete character at the end (an odd number of bytes: the file looks cut short)"
    else:
        what = "bytes that are not a character"
    return ImportFileError(str(path), f"is {name} text that cannot be decoded at byte offset {offset:,}: it has "
                           f"{what}; export or copy the file again (this file was not imported)", line)
