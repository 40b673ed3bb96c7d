"""Zip archives given to import (X archives and Meta downloads come zipped): each member a file of its own.

`unpacked` extracts the members of every `.zip` among the paths into a private folder of the workspace (removed
afterwards) and stands them in for the zip, each named `archive.zip!data/tweets.js` in summaries, errors and the
import log. Members are treated like the files of a folder: hidden ones (and macOS's `__MACOSX/`) are left out,
one that is no known export is skipped. Media files are not extracted: they are listed as skipped, one line per
folder. A zip is refused whole (one line) when it holds more than MAX_MEMBERS entries or its members would
unpack to more than MAX_BYTES, checked both on the sizes the zip declares and on the bytes actually written.
"""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from strategyfirst.errors import ImportFileError, SourceDetectionError, StrategyFirstError

MAX_MEMBERS = 100_000         # entries in one zip (an X archive with years of media has tens of thousands)
MAX_BYTES = 8 << 30           # bytes its extracted members may add up to
CHUNK = 1 << 20
STALE_SECONDS = 24 * 3600     # an unpacked folder this old was left by a killed import
MEDIA = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp", ".tif", ".tiff", ".svg", ".ico",
                   ".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".mp3", ".m4a", ".aac", ".wav", ".ogg",
                   ".opus", ".ttf", ".woff", ".woff2"})
# a file of these beside the exports that no source reads is skipped as a text document (README.md, notes.txt)
TEXT_DOCUMENTS = frozenset({".md", ".markdown", ".rst", ".txt", ".text", ".adoc"})


def is_zip(path: Path) -> bool:
    """A zip archive given to import (by name: .xlsx workbooks are zips too, but one export each)."""
    return path.suffix.lower() == ".zip" and path.is_file()


@dataclass
class Unpacked:
    """The files to import once zips stand for their members."""

    paths: list[Path]
    in_folder: set[Path]                                  # skipped, not failed, when no known export
    names: dict[Path, str] = field(default_factory=dict)  # extracted member -> `archive.zip!inner/name`
    # a zip or member that cannot be read (failed), or media left unextracted (skipped: a SourceDetectionError)
    failures: dict[Path, StrategyFirstError] = field(default_factory=dict)

    def name(self, path: Path) -> str:
        return self.names.get(path, str(path))


@contextmanager
def unpacked(paths: list[Path], in_folder: set[Path], tmp_dir: Path,
             media: dict[Path, Media] | None = None) -> Iterator[Unpacked]:
    """`paths` with each zip replaced by its members, extracted under `tmp_dir` for the duration; `media`: the
    media files of folders given to import (folder -> media per subfolder), each subfolder's one skipped line."""
    result = Unpacked([], set(in_folder))
    folders: list[Path] = []
    _sweep(tmp_dir)
    try:
        for path in paths:
            if not is_zip(path):
                result.paths.append(path)
                continue
            folder = tmp_dir / f"unzip-{uuid.uuid4().hex}"
            folders.append(folder)
            try:
                _unpack(path, folder, result)
            except StrategyFirstError as exc:
                result.paths.append(path)
                result.failures[path] = exc
        for root, found in (media or {}).items():
            skip_media(result, found, root / ".media", f"{root}/")
        yield result
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


class _Refused(ImportFileError):
    """The whole archive is refused (too big to unpack, or no room to unpack it)."""


def _sweep(tmp_dir: Path) -> None:
    """Remove what a killed import unpacked (a day old: no live import takes that long to unpack, and this runs
    outside the workspace lock, beside other imports' folders)."""
    if not tmp_dir.is_dir():
        return
    for old in tmp_dir.glob("unzip-*"):
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)


def _unpack(zpath: Path, folder: Path, result: Unpacked) -> None:
    """Extract one zip's members into `folder` and list them in `result` (sorted by name)."""
    try:
        zf = zipfile.ZipFile(zpath)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ImportFileError(str(zpath), f"is not a readable zip archive ({exc}); download it again, or unzip "
                              "it and import the folder (nothing of it was imported)") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ImportFileError(str(zpath), f"holds {len(infos):,} entries, more than the {MAX_MEMBERS:,} an "
                                  "archive may have; unzip it and import the folder of exports you need (nothing "
                                  "of it was imported)")
        members, media = _members(zpath, infos)
        if sum(i.file_size for i in members) > MAX_BYTES:
            raise _too_big(zpath)
        extracted: list[Path] = []
        written = 0
        for info in members:
            target = folder.joinpath(*PurePosixPath(info.filename).parts)
            result.names[target] = f"{zpath}!{info.filename}"
            extracted.append(target)
            try:
                written = _extract(zf, info, target, written, zpath)
            except _Refused:
                raise
            except ImportFileError as exc:
                result.failures[target] = exc
    if not extracted and not media:
        raise ImportFileError(str(zpath), "is an empty zip archive: it holds no file (nothing was imported)")
    result.paths.extend(extracted)
    result.in_folder.update(extracted)
    skip_media(result, media, folder, f"{zpath}!")


def skip_media(result: Unpacked, media: Media, folder: Path, prefix: str) -> None:
    """Each (sub)folder's media files as one skipped line, never read (an X archive holds thousands)."""
    for n, (where, (count, kinds)) in enumerate(sorted(media.items())):
        stand_in = folder / f".media-{n}"  # never created: the loop reports it as skipped
        name = f"{prefix}{where}"
        result.names[stand_in] = name
        result.failures[stand_in] = SourceDetectionError(
            name, f"{count:,} media file{'s' if count != 1 else ''} ({', '.join(sorted(kinds))}), not exports")
        result.paths.append(stand_in)
        result.in_folder.add(stand_in)


Media = dict[str, tuple[int, set[str]]]  # folder inside the zip -> (media files there, their suffixes)


def _members(zpath: Path, infos: list[zipfile.ZipInfo]) -> tuple[list[zipfile.ZipInfo], Media]:
    """The entries to extract (files, not hidden, inside the archive), and the media files per folder."""
    members: list[zipfile.ZipInfo] = []
    media: Media = {}
    seen: set[str] = set()
    for info in sorted(infos, key=lambda i: i.filename):
        if info.is_dir():
            continue
        inner = PurePosixPath(info.filename.replace("\\", "/"))
        if inner.is_absolute() or ".." in inner.parts or not inner.parts or info.filename.lower() in seen:
            raise ImportFileError(str(zpath), f"has an entry named {info.filename!r} that would be written outside "
                                  "the archive's folder (or twice); unzip it with care and import the files "
                                  "(nothing of it was imported)")
        if any(part.startswith(".") or part == "__MACOSX" for part in inner.parts):
            continue  # hidden files and macOS resource forks, as in a folder
        seen.add(info.filename.lower())
        info.filename = str(inner)
        suffix = inner.suffix.lower()
        if suffix in MEDIA:
            where = f"{inner.parent}/" if str(inner.parent) != "." else ""
            count, kinds = media.get(where, (0, set()))
            media[where] = (count + 1, kinds | {suffix})
            continue
        members.append(info)
    return members, media


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, written: int, zpath: Path) -> int:
    """Copy one member out, counting the bytes really written (a zip may declare sizes it does not have)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    name = f"{zpath}!{info.filename}"
    try:
        with zf.open(info) as src, target.open("wb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > MAX_BYTES:
                    raise _too_big(zpath)
                dst.write(chunk)
    except OSError as exc:
        raise _Refused(name, f"could not be extracted into {target.parent} ({exc.strerror or exc}); check the "
                      "disk space (nothing of the archive was imported)") from None
    except RuntimeError as exc:  # an encrypted member
        target.write_bytes(b"")
        raise ImportFileError(name, f"could not be extracted ({exc}); unzip the archive with its password and "
                              "import the folder (nothing of it was imported)") from None
    except (NotImplementedError, zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        target.write_bytes(b"")
        raise ImportFileError(name, f"could not be extracted ({exc}); unzip the archive with another tool and "
                              "import the folder (nothing of it was imported)") from None
    return written


def _too_big(zpath: Path) -> _Refused:
    return _Refused(str(zpath), f"would unpack to more than {MAX_BYTES >> 30} GB, more than an archive may "
                           "hold; unzip it and import the folder of exports you need (nothing of it was imported)")
