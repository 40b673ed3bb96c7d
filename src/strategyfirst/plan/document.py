"""Reading and writing strategy.yaml: located errors on load, comments and key order kept on save."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from strategyfirst.errors import PlanError, PlanProblem
from strategyfirst.plan.model import Plan

PathPart = str | int


class _LocatedConstructor(RoundTripConstructor):
    """Bad dates (2026-13-01) become located YAML errors rather than bare ValueErrors."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError as exc:
            raise ConstructorError(None, None, f"{node.value!r} is not a valid date ({exc})",
                                   node.start_mark) from None


_LocatedConstructor.add_constructor("tag:yaml.org,2002:timestamp",
                                    _LocatedConstructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _LocatedConstructor
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def format_path(path: Sequence[PathPart]) -> str:
    """('tactics', 2, 'serves') -> 'tactics[2].serves'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:  # a key with a line break or control character shown escaped: the message stays one line
            text = str(part) if str(part).isprintable() else str(part).encode("unicode_escape").decode("ascii")
            out += ("." if out else "") + text
    return out


@dataclass
class PlanDocument:
    """A loaded plan: the validated model, the round-trip YAML tree and the text it came from."""

    plan: Plan
    tree: CommentedMap
    text: str
    file: str = "strategy.yaml"

    def locate(self, path: Sequence[PathPart]) -> tuple[int, int]:
        """1-based (line, column) of the deepest node of `path` that exists in the file."""
        return locate(self.tree, path)

    def set(self, path: Sequence[PathPart], value: Any) -> None:
        """Set a value in the YAML tree (creating maps on the way); call `dumps`/`save` to write it."""
        node: Any = self.tree
        for part in path[:-1]:
            if isinstance(node, dict) and part not in node:
                node[part] = CommentedMap()
            node = node[part]
        node[path[-1]] = value

    def dumps(self) -> str:
        buf = io.StringIO()
        _yaml().dump(self.tree, buf)
        return buf.getvalue()

    def save(self, path: str | Path) -> None:
        """Write the tree back, keeping comments and key order; re-validates first."""
        text = self.dumps()
        loads(text, file=str(path))  # never write a plan that would not load again
        Path(path).write_text(text, encoding="utf-8")
        self.text = text


def locate(tree: Any, path: Sequence[PathPart]) -> tuple[int, int]:
    line, col = 1, 1
    node = tree
    for part in path:
        try:
            if isinstance(node, CommentedMap) and part in node:
                line, col = node.lc.key(part)
                line, col = line + 1, col + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                line, col = node.lc.item(part)
                line, col = line + 1, col + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line, col


# ruamel's contexts of a flow collection or a quoted scalar: their context_mark is where it was opened
_UNCLOSED = re.compile(r"while (?:parsing|scanning) an? (flow sequence|flow mapping|quoted scalar)")


def yaml_problem(exc: YAMLError, file: str, text: str | None = None) -> PlanProblem:
    """A YAML syntax error as one located line (`YAML: <context>: <problem>`), without ruamel's snippet; an error
    the reader raises (a control character) is located by its offset in `text`, when given."""
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        what = exc.problem or "invalid YAML"
        opened = exc.context_mark
        unclosed = _UNCLOSED.fullmatch(exc.context or "")
        if opened is not None and unclosed and opened.line < mark.line:
            # an unclosed `[`, `{` or quote is found lines later, where the parser gave up (often the next key):
            # the error is located where it was opened, and says where the parser stopped
            return PlanProblem(file, opened.line + 1, opened.column + 1,
                               f"YAML: the {unclosed.group(1)} opened here is not closed (at line "
                               f"{mark.line + 1}, column {mark.column + 1}: {what})")
        if exc.context:
            what = f"{exc.context}: {what}"
        return PlanProblem(file, mark.line + 1, mark.column + 1, f"YAML: {what}")
    line = column = 1
    position = getattr(exc, "position", None)
    if text is not None and isinstance(position, int) and 0 <= position <= len(text):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
    first = next((part.strip() for part in str(exc).splitlines() if part.strip()), "invalid YAML")
    return PlanProblem(file, line, column, f"YAML: {first}")


def _describe(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key (check its spelling; unknown keys are errors so a typo never drops a target)"
    if kind == "missing":
        return "required key is missing"
    msg = str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    inp = err.get("input")
    said = repr(inp) in msg or (kind == "value_error" and str(inp) in msg)  # the plan's own checks name it
    if kind not in ("literal_error",) and isinstance(inp, str | int | float) and not isinstance(inp, bool) \
            and not said:
        msg += f" (got {inp!r})"
    return msg


def _duplicate_ids(plan: Plan, tree: Any, file: str) -> list[PlanProblem]:
    problems = []
    for section in ("objectives", "tactics"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(plan, section)):
            if item.id in seen:
                line, col = locate(tree, (section, i, "id"))
                key = f"{section}[{i}].id"
                message = f"{key}: duplicate id {item.id!r}; ids must be unique"
                problems.append(PlanProblem(file, line, col, message, key=key))
            seen.add(item.id)
    return problems


MAX_PLAN_CHARS = 1_000_000   # a real plan is a few kB; beyond this it is not a plan
MAX_ALIASES = 25             # YAML aliases (`*name`): a few in a real plan; n aliases can expand to e^(n/e) nodes
_ALIAS = re.compile(r"(?<![\w*&])\*[A-Za-z0-9_.-]+")


def _bounded(text: str, file: str) -> None:
    """Refuse, before parsing, plans too large to be plans or with more aliases than a plan needs (a YAML
    alias bomb expands exponentially while it is read)."""
    if len(text) > MAX_PLAN_CHARS:
        raise PlanError([PlanProblem(file, 1, 1, f"the plan has {len(text):,} characters, more than the limit of "
                                     f"{MAX_PLAN_CHARS:,}: is this the plan file?")])
    aliases = [m for m in _ALIAS.finditer(text)]
    if len(aliases) > MAX_ALIASES:
        where = aliases[MAX_ALIASES]
        line = text.count("\n", 0, where.start()) + 1
        column = where.start() - (text.rfind("\n", 0, where.start()) + 1) + 1
        raise PlanError([PlanProblem(file, line, column, f"more than {MAX_ALIASES} YAML aliases (*name): write "
                                     "the values out instead")])


def loads(text: str, file: str = "strategy.yaml") -> PlanDocument:
    """Parse and validate plan text; raise PlanError listing every located problem."""
    _bounded(text, file)
    try:
        tree = _yaml().load(text)
    except YAMLError as exc:
        raise PlanError([yaml_problem(exc, file, text)]) from None
    except Exception as exc:  # ruamel raises a few non-YAMLError types on odd input
        first = next((part.strip() for part in str(exc).splitlines() if part.strip()), type(exc).__name__)
        raise PlanError([PlanProblem(file, 1, 1, f"YAML: {first}")]) from None
    if tree is None:
        raise PlanError([PlanProblem(file, 1, 1, "the plan is empty: start from `strategyfirst init`")])
    if not isinstance(tree, CommentedMap):
        raise PlanError([PlanProblem(file, 1, 1,
                                     "the plan must be a YAML mapping of keys (version, strategy, ...)")])
    try:
        plan = Plan.model_validate(_plain(tree))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            line, col = locate(tree, loc)
            key = format_path(loc)
            problems.append(PlanProblem(file, line, col, f"{key}: {_describe(dict(err))}", key=key))
        raise PlanError(problems) from None
    dups = _duplicate_ids(plan, tree, file)
    if dups:
        raise PlanError(dups)
    return PlanDocument(plan=plan, tree=tree, text=text, file=file)


def load(path: str | Path) -> PlanDocument:
    """Read a plan file; a missing or undecodable file is a located PlanError too."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanError([PlanProblem(str(path), 1, 1,
                                     f"cannot read the plan: {exc.strerror or exc}")]) from None
    return load_bytes(raw, path.name or str(path))  # problems name the file as `strategy.yaml:LINE:COL`


def load_bytes(raw: bytes, name: str = "strategy.yaml") -> PlanDocument:
    """A plan file's bytes (read once by a caller that also hashes them), parsed and validated like `load`."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PlanError([PlanProblem(name, line, col,
                                     "the plan is not UTF-8 text: save it as UTF-8")]) from None
    return loads(text, file=name)


def _plain(node: Any) -> Any:
    """The ruamel tree as plain dicts/lists (keys as strings where YAML gave scalars)."""
    if isinstance(node, dict):
        return {(k if isinstance(k, str) else str(k)): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node
