"""Differences between two plan versions: a unified text diff, and which objectives, tactics, KPIs changed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from strategyfirst.plan.document import loads
from strategyfirst.plan.model import Plan


def diff_plans(old_text: str, new_text: str, *, old_name: str = "a/strategy.yaml",
               new_name: str = "b/strategy.yaml", context: int = 3) -> str:
    """Unified diff of two plan texts ('' when they are equal)."""
    old_lines = old_text.splitlines(keepends=True)
    new_lines = new_text.splitlines(keepends=True)
    # A missing final newline must not glue two diff lines together.
    if old_lines and not old_lines[-1].endswith("\n"):
        old_lines[-1] += "\n"
    if new_lines and not new_lines[-1].endswith("\n"):
        new_lines[-1] += "\n"
    return "".join(difflib.unified_diff(old_lines, new_lines, fromfile=old_name, tofile=new_name, n=context))


@dataclass(frozen=True)
class SectionChanges:
    """Ids added, removed and changed in one list of the plan (objectives, tactics or KPIs)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class PlanChanges:
    """What changed between two plan versions, by id; KPIs are keyed `objective/metric`."""

    objectives: SectionChanges = field(default_factory=SectionChanges)
    tactics: SectionChanges = field(default_factory=SectionChanges)
    kpis: SectionChanges = field(default_factory=SectionChanges)
    other: tuple[str, ...] = ()  # top-level keys whose value changed (strategy, budget, horizon, ...)

    @property
    def is_empty(self) -> bool:
        return not (self.objectives or self.tactics or self.kpis or self.other)

    def lines(self) -> list[str]:
        """One human line per kind of change, e.g. 'tactics added: care-desk'."""
        out: list[str] = []
        for name in ("objectives", "tactics", "kpis"):
            section: SectionChanges = getattr(self, name)
            label = "KPIs" if name == "kpis" else name
            for verb in ("added", "removed", "changed"):
                ids = getattr(section, verb)
                if ids:
                    out.append(f"{label} {verb}: {', '.join(ids)}")
        if self.other:
            out.append(f"also changed: {', '.join(self.other)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        def sec(s: SectionChanges) -> dict[str, list[str]]:
            return {"added": list(s.added), "removed": list(s.removed), "changed": list(s.changed)}

        return {"objectives": sec(self.objectives), "tactics": sec(self.tactics), "kpis": sec(self.kpis),
                "other": list(self.other)}


def _compare(old: dict[str, Any], new: dict[str, Any]) -> SectionChanges:
    return SectionChanges(
        added=tuple(k for k in new if k not in old),
        removed=tuple(k for k in old if k not in new),
        changed=tuple(k for k in new if k in old and old[k] != new[k]),
    )


def _kpis(plan: Plan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for o in plan.objectives:
        for k in o.kpis:
            key = f"{o.id}/{k.metric}"
            n, unique = 2, key
            while unique in out:  # the same metric twice in one objective
                unique, n = f"{key}#{n}", n + 1
            out[unique] = k.model_dump()
    return out


def summarise_plan_changes(old: Plan, new: Plan) -> PlanChanges:
    """Structured changes between two validated plans."""
    old_objectives = {o.id: o.model_dump(exclude={"kpis"}) for o in old.objectives}
    new_objectives = {o.id: o.model_dump(exclude={"kpis"}) for o in new.objectives}
    old_dump, new_dump = old.model_dump(), new.model_dump()
    other = tuple(k for k in new_dump
                  if k not in ("objectives", "tactics") and old_dump.get(k) != new_dump[k])
    return PlanChanges(
        objectives=_compare(old_objectives, new_objectives),
        tactics=_compare({t.id: t.model_dump() for t in old.tactics},
                         {t.id: t.model_dump() for t in new.tactics}),
        kpis=_compare(_kpis(old), _kpis(new)),
        other=other,
    )


def summarise_changes(old_text: str, new_text: str) -> PlanChanges:
    """Structured changes between two plan texts (raises PlanError if either cannot be read)."""
    return summarise_plan_changes(loads(old_text, file="old").plan, loads(new_text, file="new").plan)
