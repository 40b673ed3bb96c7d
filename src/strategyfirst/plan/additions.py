"""Adding an objective, a KPI or a tactic to plan text without touching the rest of the file.

The new item is written by ruamel (so its scalars are quoted as YAML needs) and placed after the last item
of its list, in the list's own indentation; every other byte of the file stays as it was, comments and blank
lines included. (Appending to the round-trip tree alone would put the new item after the comment block that
introduces the next section, because ruamel attaches that block to the last item.) When the list is missing or
written in flow style the whole tree is dumped instead, which keeps comments and key order too; either way
the result is read back and must equal the old plan plus the new item.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from strategyfirst.errors import PlanError, PlanProblem
from strategyfirst.plan.document import PathPart, PlanDocument, _plain, _yaml, format_path, loads

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Added:
    """Plan text with one item added: the text, the item's plan path and the 1-based line it starts at."""

    text: str
    path: tuple[PathPart, ...]
    line: int


def number(raw: str) -> Any:
    """A form's number as YAML would read it (an int stays an int; "90%" stays a percentage); other text is
    kept as written so that validation names the field."""
    value = raw.strip()
    if re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    return float(value) if _NUMBER.match(value) else value


def day(raw: str) -> Any:
    """A form's ISO date as a date (other text kept, for validation to refuse with the field named)."""
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return raw.strip()


def words(raw: str) -> list[str]:
    """A comma-separated form field as a list (blank items dropped)."""
    return [w.strip() for w in raw.split(",") if w.strip()]


def _flow_safe(value: Any) -> Any:
    """A form's text quoted where ruamel would write it plain but cannot read it back inside `{...}` or `[...]`:
    a leading '?' ('?a' is a plain scalar by YAML 1.2, yet ruamel's parser takes it for a complex key there)."""
    return DoubleQuotedScalarString(value) if isinstance(value, str) and value.startswith("?") else value


def flow_map(values: dict[str, Any]) -> CommentedMap:
    """A mapping written on one line (`{metric: reach, target: 5000}`), as the example plan writes KPIs."""
    out = CommentedMap({k: _flow_safe(v) for k, v in values.items()})
    out.fa.set_flow_style()
    return out


def flow_seq(values: Sequence[Any]) -> CommentedSeq:
    out = CommentedSeq([_flow_safe(v) for v in values])
    out.fa.set_flow_style()
    return out


def node_at(tree: Any, path: Sequence[PathPart]) -> Any:
    node = tree
    for part in path:
        node = node[part]
    return node


def _item_block(item: Any, dash: int) -> str:
    """The YAML lines of `item` as one list item whose dash stands at column `dash` (0-based)."""
    buf = io.StringIO()
    _yaml().dump(CommentedMap({"k": CommentedSeq([item])}), buf)
    lines = buf.getvalue().splitlines()[1:]  # under "k:", the dash stands at column 2 (indent offset 2)
    return "".join(" " * dash + line[2:] + "\n" for line in lines)


def _entries_end(lines: list[str], last: int, indent: int) -> int:
    """The 0-based line where the block entry starting at line `last` ends: its last line of content deeper
    than `indent` (blank lines and comments after it belong to what follows)."""
    end = last
    for i in range(last + 1, len(lines)):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[i]) - len(lines[i].lstrip(" ")) <= indent:
            break
        end = i
    return end


def _insert_after(text: str, end: int, block: str) -> str:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines[end].endswith("\r\n") or "\r\n" in text else "\n"  # the file's own line ends
    if not lines[end].endswith("\n"):
        lines[end] += newline
    block = block.replace("\n", newline)
    return "".join(lines[: end + 1]) + block + "".join(lines[end + 1:])


def _spliced(text: str, parent: Any, key: PathPart, item: Any) -> str | None:
    """`text` with `item` after the last item of the block list `parent[key]`, or with `key:` and the item
    after the last entry of the block mapping `parent` when it has no `key`; None for other layouts (flow
    style, an empty list), which the caller dumps whole."""
    lines = text.splitlines(keepends=True)
    seq = parent.get(key) if isinstance(parent, CommentedMap) else None
    if isinstance(seq, CommentedSeq) and seq and not seq.fa.flow_style():
        first_line, first_col = seq.lc.item(0)
        head = lines[first_line][:first_col].rstrip()
        if not head.endswith("-"):
            return None
        dash = len(head) - 1
        return _insert_after(text, _entries_end(lines, seq.lc.item(len(seq) - 1)[0], dash), _item_block(item, dash))
    if seq is None and isinstance(parent, CommentedMap) and parent and not parent.fa.flow_style():
        keys = list(parent)
        line, col = parent.lc.key(keys[0])
        if lines[line][:col].strip() not in ("", "-"):
            return None
        block = " " * col + f"{key}:\n" + _item_block(item, col + 2)
        return _insert_after(text, _entries_end(lines, parent.lc.key(keys[-1])[0], col), block)
    return None


def insert_item(doc: PlanDocument, seq_path: Sequence[PathPart], item: Any) -> Added:
    """Add `item` at the end of the list at `seq_path` (created under its parent mapping when missing).

    Raises PlanError when the result does not read back as the old plan plus the item (e.g. the item is
    invalid: the problems are located in the new text)."""
    tree = copy.deepcopy(doc.tree)
    parent = node_at(tree, seq_path[:-1])
    key = seq_path[-1]
    seq = parent.get(key) if isinstance(parent, dict) else None
    spliced = _spliced(doc.text, parent, key, item)
    if isinstance(seq, CommentedSeq):
        seq.append(copy.deepcopy(item))
    else:
        parent[key] = seq = CommentedSeq([copy.deepcopy(item)])
    path = (*seq_path, len(seq) - 1)
    expected = _plain(tree)
    text = spliced
    if text is not None:
        try:
            if _plain(_yaml().load(text)) != expected:
                text = None
        except Exception:  # an unusual layout the line scan misread: dump the tree instead
            text = None
    if text is None:
        buf = io.StringIO()
        _yaml().dump(tree, buf)
        text = buf.getvalue()
    new = loads(text, file=doc.file)  # located problems of the new item (a duplicate id, a bad date, ...)
    return Added(text=text, path=path, line=new.locate(path)[0])


def kpi_list_path(doc: PlanDocument, objective_id: str) -> tuple[PathPart, ...]:
    """The plan path of the KPI list of an objective; PlanError keyed `objective` when there is none."""
    for i, objective in enumerate(doc.plan.objectives):
        if objective.id == objective_id:
            return ("objectives", i, "kpis")
    known = ", ".join(o.id for o in doc.plan.objectives) or "none yet: add an objective first"
    raise PlanError([PlanProblem(doc.file, 1, 1, f"no objective {objective_id!r} in the plan (objectives: "
                                 f"{known})", key="objective")])


__all__ = ["Added", "day", "flow_map", "flow_seq", "format_path", "insert_item", "kpi_list_path", "number",
           "words"]
