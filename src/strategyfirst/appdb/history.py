"""Plan versions and decisions of a workspace: the record of how the strategy evolved and why."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from strategyfirst.appdb.base import DBCore
from strategyfirst.appdb.decide import check_plan_text, decision_text, revert_why
from strategyfirst.appdb.models import Decision, DecisionChange, PlanVersion, utcnow
from strategyfirst.errors import AppDatabaseError, UsageError

HistoryEntry = PlanVersion | Decision


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_number(text: str) -> int | None:
    """A plan version as `history` lists it (`v2`) or as a bare number (`2`); None if the text is neither."""
    match = re.fullmatch(r"[vV]?(\d{1,9})", text.strip())
    return int(match.group(1)) if match and int(match.group(1)) >= 1 else None


def _next_number(s: Session, model: type[PlanVersion] | type[Decision], workspace_id: int) -> int:
    return int(s.scalar(select(func.coalesce(func.max(model.number), 0)).where(
        model.workspace_id == workspace_id)) or 0) + 1


class HistoryMixin(DBCore):
    def record_plan_version(self, ws_slug: str, text: str, author: str | None = None,
                            why: str | None = None, *, loads: bool = False) -> PlanVersion:
        """Store `text` as a new version, or — if it is the current version's text — return that version (seen
        again). A text an earlier version had is a revert: a new version whose `why` says so (`reverts to version
        N`, when no why is given), so the history keeps every change. PlanError, nothing stored, for a new text
        that does not load as a plan (`loads`: the caller parsed it, so it is not parsed again)."""
        digest = text_sha256(text)
        for _attempt in range(5):
            try:
                with self.session() as s:
                    wid = self.workspace_row(s, ws_slug, lock=True).id
                    current = s.scalar(select(PlanVersion).where(PlanVersion.workspace_id == wid)
                                       .order_by(PlanVersion.last_seen_at.desc(), PlanVersion.number.desc())
                                       .limit(1))
                    if current is not None and current.sha256 == digest:
                        current.last_seen_at = utcnow()
                        return current
                    earlier = s.scalar(select(PlanVersion.number).where(
                        PlanVersion.workspace_id == wid, PlanVersion.sha256 == digest)
                        .order_by(PlanVersion.number.desc()).limit(1))
                    if earlier is None and not loads:
                        check_plan_text(text)
                    now = utcnow()
                    version = PlanVersion(workspace_id=wid, number=_next_number(s, PlanVersion, wid),
                                          sha256=digest, text=text, created_at=now, last_seen_at=now,
                                          author=author, why=revert_why(why, earlier))
                    s.add(version)
                return version
            except IntegrityError:
                continue  # a concurrent writer took the number: look again
        raise AppDatabaseError(f"could not record a plan version of {ws_slug!r} (write contention)")

    def plan_versions(self, slug: str) -> list[PlanVersion]:
        """The workspace's plan versions, oldest first."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            return list(s.scalars(select(PlanVersion).where(PlanVersion.workspace_id == wid)
                                  .order_by(PlanVersion.number)))

    def plan_version(self, slug: str, number: int) -> PlanVersion:
        """Version `number` (1, 2, ...) of the workspace; UsageError naming the known range if absent."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            found = s.scalar(select(PlanVersion).where(PlanVersion.workspace_id == wid,
                                                       PlanVersion.number == number))
            if found is None:
                last = _next_number(s, PlanVersion, wid) - 1
                known = f"versions 1..{last}" if last else "no versions yet"
                raise UsageError(f"workspace {slug!r} has no plan version {number} ({known})")
            return found

    def current_plan_version(self, slug: str) -> PlanVersion | None:
        """The version whose text was seen last as the workspace's plan."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            return s.scalar(select(PlanVersion).where(PlanVersion.workspace_id == wid)
                            .order_by(PlanVersion.last_seen_at.desc(), PlanVersion.number.desc()).limit(1))

    def record_decision(self, slug: str, text: str, objective: str | None = None, tactic: str | None = None,
                        evidence: Any = None, author: str | None = None) -> Decision:
        """Store a decision linked to the current plan version, with `evidence` (JSON: the verdicts then)."""
        text = decision_text(text)
        for _attempt in range(5):
            try:
                with self.session() as s:
                    wid = self.workspace_row(s, slug, lock=True).id
                    version = s.scalar(select(PlanVersion).where(PlanVersion.workspace_id == wid)
                                       .order_by(PlanVersion.last_seen_at.desc(), PlanVersion.number.desc())
                                       .limit(1))
                    decision = Decision(workspace_id=wid, number=_next_number(s, Decision, wid), text=text,
                                        objective=objective, tactic=tactic, evidence=evidence, author=author,
                                        plan_version=version, created_at=utcnow(), changes=[])
                    s.add(decision)
                return decision
            except IntegrityError:
                continue
        raise AppDatabaseError(f"could not record a decision in {slug!r} (write contention)")

    def decision(self, slug: str, number: int) -> Decision | None:
        """Decision `number` (1, 2, ...) of the workspace (with its changes), or None."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            return s.scalar(select(Decision).where(Decision.workspace_id == wid, Decision.number == number))

    def edit_decision(self, slug: str, number: int, author: str | None, text: str, objective: str | None,
                      tactic: str | None, why: str | None = None) -> Decision:
        """Correct a decision's text and scope; the fields before and after are kept as a change (who, when,
        why). UsageError for a withdrawn decision or an empty text."""
        after = {"text": decision_text(text), "objective": objective, "tactic": tactic}
        return self._change(slug, number, author, "edit", why, after)

    def withdraw_decision(self, slug: str, number: int, author: str | None, why: str | None = None) -> Decision:
        """Withdraw a decision: it stays in the history, marked withdrawn, with who, when and why."""
        return self._change(slug, number, author, "withdraw", why, None)

    def _change(self, slug: str, number: int, author: str | None, action: str, why: str | None,
                after: dict[str, Any] | None) -> Decision:
        with self.session() as s:
            wid = self.workspace_row(s, slug, lock=True).id
            decision = s.scalar(select(Decision).where(Decision.workspace_id == wid, Decision.number == number))
            if decision is None:
                raise UsageError(f"workspace {slug!r} has no decision {number}")
            if decision.withdrawn_at is not None:
                raise UsageError(f"decision {number} was withdrawn; record a new decision instead")
            before = {"text": decision.text, "objective": decision.objective, "tactic": decision.tactic}
            now = utcnow()
            if after is None:
                decision.withdrawn_at = now
            elif after == before:
                return decision  # nothing changed: no change to keep
            else:
                decision.text, decision.objective, decision.tactic = (after["text"], after["objective"],
                                                                      after["tactic"])
            decision.changes.append(DecisionChange(action=action, author=author, at=now, why=why or None,
                                                   before=before, after=after))
            s.flush()
            return decision

    def decisions(self, slug: str) -> list[Decision]:
        """The workspace's decisions, oldest first."""
        with self.session() as s:
            wid = self.workspace_row(s, slug).id
            return list(s.scalars(select(Decision).where(Decision.workspace_id == wid)
                                  .order_by(Decision.number)))

    def history(self, slug: str) -> list[HistoryEntry]:
        """Plan versions and decisions together in time order (a version before a decision taken with it)."""
        entries: list[HistoryEntry] = [*self.plan_versions(slug), *self.decisions(slug)]
        return sorted(entries, key=lambda e: (e.created_at, isinstance(e, Decision), e.number))
