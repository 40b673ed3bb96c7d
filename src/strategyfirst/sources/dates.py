"""SQL for the date and time formats the exports use, as naive UTC."""

from __future__ import annotations

DAY_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d-%m-%Y", "%d/%m/%Y", "%b %d, %Y", "%d %b %Y", "%Y/%m/%d", "%d.%m.%Y",
               "%a %b %d %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def fmt_list(formats: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + f + "'" for f in formats) + "]"


def day(expr: str, formats: tuple[str, ...] = DAY_FORMATS) -> str:
    """SQL: a text date in the first of `formats` that parses, as DATE (null when none does)."""
    return f"CAST(try_strptime(trim({expr}), {fmt_list(formats)}) AS DATE)"


def utc(expr: str, tz_formats: tuple[str, ...], naive_formats: tuple[str, ...] = ()) -> str:
    """SQL: a text timestamp with an offset (or, failing that, a naive one taken as UTC) as naive UTC."""
    # ISO 8601 writes UTC as a trailing 'Z', an offset strptime's %z does not read: spell it +00:00.
    zoned = f"CASE WHEN ends_with(trim({expr}), 'Z') THEN rtrim(trim({expr}), 'Z') || '+00:00' ELSE trim({expr}) END"
    with_tz = f"timezone('UTC', try_strptime({zoned}, {fmt_list(tz_formats)}))"
    if not naive_formats:
        return with_tz
    return f"coalesce({with_tz}, try_strptime(trim({expr}), {fmt_list(naive_formats)}))"
