"""Readiness answers in and out: read an answers file (YAML or JSON), write answers into strategy.yaml.

Writing goes through the plan's round-trip tree, so the plan keeps its comments and key order; answers update
the fields they give and leave the others as they were.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from strategyfirst.errors import PlanError, PlanProblem
from strategyfirst.plan.document import PlanDocument, format_path, load, locate, yaml_problem
from strategyfirst.plan.readiness import Readiness

if TYPE_CHECKING:
    from strategyfirst.ports import WorkspaceFiles

SECTION_COMMENT = "readiness answers (`strategyfirst readiness`; see docs/readiness.md)"


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def parse_answers(text: str, file: str = "answers.yaml") -> Readiness:
    """Validate answers text: the `readiness` mapping itself, or a document with a `readiness:` key."""
    try:
        tree = YAML(typ="rt").load(text)
    except YAMLError as exc:
        where = yaml_problem(exc, file, text)
        raise PlanError([PlanProblem(file, where.line, where.column, f"cannot read the answers: {where.message}; "
                                     "fix the YAML there (docs/readiness.md shows the layout)")]) from None
    prefix: tuple[str, ...] = ()
    root = tree
    if isinstance(tree, dict) and set(tree) == {"readiness"}:
        tree, prefix = tree["readiness"], ("readiness",)
    if not isinstance(tree, dict):
        raise PlanError([PlanProblem(file, 1, 1, "the answers must be a mapping of dimensions "
                                     "(ownership, leadership, ...): see docs/readiness.md")])
    try:
        return Readiness.model_validate(_plain(tree))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = prefix + tuple(err["loc"])
            line, col = locate(root, loc)
            what = ("unknown question (check its spelling)" if err["type"] == "extra_forbidden"
                    else str(err["msg"]).removeprefix("Value error, "))
            problems.append(PlanProblem(file, line, col, f"{format_path(loc)}: {what}", key=format_path(loc)))
        raise PlanError(problems) from None


def read_answers(path: str | Path) -> Readiness:
    """Read and validate an answers file (YAML or JSON); errors carry file, line and column."""
    path = Path(path)

    def refused(why: str) -> PlanError:
        return PlanError([PlanProblem(str(path), 1, 1, why)])

    # said in words, not as Python's "[Errno 21] Is a directory: '<the path again>'"
    if path.is_dir():
        raise refused("is a folder, not an answers file: give the YAML or JSON file of answers (docs/readiness.md)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise refused("no such file; check the path") from None
    except UnicodeDecodeError:
        raise refused("is not UTF-8 text: save the answers as UTF-8 (YAML or JSON)") from None
    except OSError as exc:
        raise refused(f"cannot read the answers file ({exc.strerror or exc})") from None
    if not text.strip():
        raise refused("the answers file is empty: write the answers in it (YAML or JSON, docs/readiness.md)")
    return parse_answers(text, file=str(path))


def _node(value: Any) -> Any:
    """Plain answers as YAML nodes: staffing blocks as one-line flow maps, the rest as plain scalars."""
    if isinstance(value, dict):
        m = CommentedMap((k, _node(v)) for k, v in value.items())
        m.fa.set_flow_style()
        return m
    if isinstance(value, list):
        s = CommentedSeq(_node(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            s.fa.set_flow_style()
        return s
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def apply_answers(doc: PlanDocument, answers: Readiness) -> None:
    """Write the answers into the plan's YAML tree (call `doc.save(path)` to write the file)."""
    given = answers.model_dump(mode="python", exclude_unset=True, exclude_none=True)
    if not given:
        return
    tree = doc.tree
    if not isinstance(tree.get("readiness"), dict):
        tree["readiness"] = CommentedMap()
        tree.yaml_set_comment_before_after_key("readiness", before=SECTION_COMMENT)
    section = tree["readiness"]
    for dim, fields in given.items():
        if not isinstance(section.get(dim), dict):
            section[dim] = CommentedMap()
        for name, value in fields.items():
            if isinstance(value, dt.datetime):
                value = value.date()
            doc.set(("readiness", dim, name), _node(value))


def answer_of(answers: Readiness | None, dimension: str, name: str) -> Any:
    """One answer for comparing: staffing as who is on duty at each hour (however the blocks are grouped),
    an empty schedule and a default never given (the time zone) as no answer."""
    block = getattr(answers, dimension, None) if answers is not None else None
    value = getattr(block, name, None) if block is not None and name in block.model_fields_set else None
    if dimension == "response" and name == "staffing":
        return block.declared() if block is not None and value else None
    return value


def replace_answers(doc: PlanDocument, answers: Readiness) -> list[str]:
    """Make `answers` the plan's whole set of answers (a form's submission): the answers that changed are
    written with `apply_answers`, the ones left blank are removed; the others stay as written, comments and
    all. Returns the ids of the questions that changed (none: nothing to save)."""
    from strategyfirst.readiness.questions import QUESTIONS

    current = doc.plan.readiness
    changed = [q for q in QUESTIONS
               if answer_of(current, q.dimension, q.field) != answer_of(answers, q.dimension, q.field)]
    updates: dict[str, dict[str, Any]] = {}
    section = doc.tree.get("readiness")
    for q in changed:
        if answer_of(answers, q.dimension, q.field) is not None:
            updates.setdefault(q.dimension, {})[q.field] = getattr(getattr(answers, q.dimension), q.field)
        elif isinstance(section, dict) and isinstance(section.get(q.dimension), dict):
            section[q.dimension].pop(q.field, None)
            if not section[q.dimension]:
                del section[q.dimension]
    apply_answers(doc, Readiness.model_validate(updates))
    return [q.id for q in changed]


def record_answers(ws: WorkspaceFiles, answers: Readiness) -> PlanDocument:
    """Write the answers into the workspace's strategy.yaml (comments kept) and return the reloaded plan."""
    doc = load(ws.plan_path)  # a copy of its own: the workspace's parsed plan is shared and must stay as read
    apply_answers(doc, answers)
    doc.save(ws.plan_path)
    return ws.plan_document()
