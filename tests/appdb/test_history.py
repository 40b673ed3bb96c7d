"""Plan versions (distinct texts only, by sha256), decisions linked to the current version, time order."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from strategyfirst.appdb import AppDB, Decision, PlanVersion, UnknownWorkspaceError, open_appdb
from strategyfirst.errors import PlanError, UsageError
from tests.appdb.conftest import make_workspace

PLAN_A = "version: 1\norganisation: Acme\n"
PLAN_B = "version: 1\norganisation: Acme Outdoor\n"


def test_recording_the_same_text_returns_the_existing_version(db: AppDB) -> None:
    first = db.record_plan_version(db.slug, PLAN_A, author="ana@acme.org", why="first draft")
    again = db.record_plan_version(db.slug, PLAN_A, author="bob@acme.org", why="no change")
    assert again.id == first.id and again.number == 1
    assert again.author == "ana@acme.org" and again.why == "first draft"  # the original record stands
    assert first.sha256 == hashlib.sha256(b"version: 1\norganisation: Acme\n").hexdigest()
    assert [v.number for v in db.plan_versions(db.slug)] == [1]


def test_distinct_texts_become_numbered_versions(db: AppDB) -> None:
    v1 = db.record_plan_version(db.slug, PLAN_A)
    v2 = db.record_plan_version(db.slug, PLAN_B, why="full name")
    v3 = db.record_plan_version(db.slug, PLAN_B + "owner: Ana\n")
    assert (v1.number, v2.number, v3.number) == (1, 2, 3)
    assert [v.text for v in db.plan_versions(db.slug)] == [PLAN_A, PLAN_B, PLAN_B + "owner: Ana\n"]
    assert db.plan_version(db.slug, 2).why == "full name"
    with pytest.raises(UsageError, match=r"no plan version 7 \(versions 1..3\)"):
        db.plan_version(db.slug, 7)


BROKEN = {  # a YAML syntax error and a schema error (a misspelt key), each located by hand
    "version: 1\norganisation: [Acme\n": "strategy.yaml:2:15: YAML: ",
    "version: 1\norganisation: Acme\nobjectivs: []\n": "strategy.yaml:3:1: objectivs: unknown key",
}


@pytest.mark.parametrize("text", list(BROKEN))
def test_a_text_that_does_not_load_is_never_stored(text: str, db: AppDB) -> None:
    v1 = db.record_plan_version(db.slug, PLAN_A)
    with pytest.raises(PlanError) as caught:
        db.record_plan_version(db.slug, text, author="ana@acme.org")
    assert str(caught.value).startswith(BROKEN[text])
    assert [v.text for v in db.plan_versions(db.slug)] == [PLAN_A]
    current = db.current_plan_version(db.slug)
    assert current is not None and current.id == v1.id


def test_a_decision_links_to_the_latest_plan_version(db: AppDB) -> None:
    db.record_plan_version(db.slug, PLAN_A)
    v2 = db.record_plan_version(db.slug, PLAN_B)
    evidence = {"as_of": "2026-06-30", "verdicts": [{"kind": "tactic_failing", "tactic": "contest",
                                                       "probability": 0.93}]}
    d = db.record_decision(db.slug, "Stop the contest", objective="permission", tactic="contest",
                           evidence=evidence, author="ana")
    assert d.number == 1 and d.plan_version_id == v2.id
    stored = db.decisions(db.slug)[0]
    assert stored.plan_version is not None and stored.plan_version.number == 2
    assert stored.evidence == evidence and stored.objective == "permission" and stored.tactic == "contest"


def test_a_reverted_plan_is_a_new_version_that_says_which_it_reverts_to(db: AppDB) -> None:
    db.record_plan_version(db.slug, PLAN_A)
    db.record_plan_version(db.slug, PLAN_B)
    back = db.record_plan_version(db.slug, PLAN_A)  # the file went back to the first text
    assert (back.number, back.text, back.why) == (3, PLAN_A, "reverts to version 1")
    assert db.record_plan_version(db.slug, PLAN_A).id == back.id  # seen again: no new version
    current = db.current_plan_version(db.slug)
    assert current is not None and current.number == 3
    assert db.record_decision(db.slug, "Keep it simple").plan_version_id == back.id
    assert [(v.number, v.why) for v in db.plan_versions(db.slug)] == [
        (1, None), (2, None), (3, "reverts to version 1")]
    given = db.record_plan_version(db.slug, PLAN_B, why="the contest again")  # a why given is kept
    assert (given.number, given.why) == (4, "the contest again")


def test_a_decision_without_any_plan_version_has_none_and_null_evidence(db: AppDB) -> None:
    d = db.record_decision(db.slug, "Write the strategy first")
    assert d.plan_version_id is None
    assert db.decisions(db.slug)[0].evidence is None
    with pytest.raises(UsageError):
        db.record_decision(db.slug, "   ")


def test_history_lists_versions_and_decisions_in_time_order(db: AppDB) -> None:
    db.record_plan_version(db.slug, PLAN_A)
    db.record_decision(db.slug, "first")
    db.record_plan_version(db.slug, PLAN_B)
    db.record_decision(db.slug, "second")
    db.record_decision(db.slug, "third")
    kinds = [(type(e).__name__, e.number) for e in db.history(db.slug)]
    assert kinds == [("PlanVersion", 1), ("Decision", 1), ("PlanVersion", 2), ("Decision", 2),
                     ("Decision", 3)]
    times = [e.created_at for e in db.history(db.slug)]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)


def test_two_workspaces_in_one_database_are_isolated(db_url: str, tmp_path: Path) -> None:
    a = open_appdb(make_workspace(tmp_path / "client-a"), db_url)
    b = open_appdb(make_workspace(tmp_path / "client-b"), db_url)
    assert (a.slug, b.slug) == ("client-a", "client-b")
    va = a.record_plan_version("client-a", PLAN_A)
    vb = b.record_plan_version("client-b", PLAN_A)  # the same text is a separate version in each
    assert va.id != vb.id and va.number == vb.number == 1
    a.record_plan_version("client-a", PLAN_B)
    a.record_decision("client-a", "only for A")
    db = a  # one database: either handle sees both workspaces, each query scoped to one
    assert [v.number for v in db.plan_versions("client-b")] == [1]
    assert db.decisions("client-b") == []
    assert [d.text for d in db.decisions("client-a")] == ["only for A"]
    assert [type(e) for e in db.history("client-b")] == [PlanVersion]
    assert db.record_decision("client-b", "only for B").plan_version_id == vb.id
    assert {w.slug for w in db.workspaces()} == {"client-a", "client-b"}
    with pytest.raises(UnknownWorkspaceError):
        db.decisions("client-c")




def test_json_evidence_round_trips_nested_values(db: AppDB) -> None:
    evidence = {"kpis": [{"metric": "response_rate", "actual": 0.71, "target": 0.9, "status": "off_track"}],
                "verdicts": [], "as_of": None, "note": "ünïcode ✓"}
    db.record_decision(db.slug, "watch the response rate", evidence=evidence)
    got = db.decisions(db.slug)[0]
    assert isinstance(got, Decision) and got.evidence == evidence


def test_a_decision_is_corrected_and_withdrawn_with_its_changes_kept(db: AppDB) -> None:
    from strategyfirst.appdb.render import history_text

    made = db.record_decision(db.slug, "Stop the contest", tactic="summit-contest", author="ana@acme.org")
    assert made.changes == [] and made.withdrawn_at is None
    fixed = db.edit_decision(db.slug, made.number, "bob@acme.org", "Pause the contest", None, "summit-contest",
                             why="not stopped yet")
    same = db.edit_decision(db.slug, made.number, "bob@acme.org", "Pause the contest", None, "summit-contest")
    assert len(same.changes) == 1  # an edit that changes nothing is no change
    [change] = fixed.changes
    assert (change.action, change.author, change.why) == ("edit", "bob@acme.org", "not stopped yet")
    assert change.before == {"text": "Stop the contest", "objective": None, "tactic": "summit-contest"}
    assert change.after == {"text": "Pause the contest", "objective": None, "tactic": "summit-contest"}
    gone = db.withdraw_decision(db.slug, made.number, "cy@acme.org", why="done another way")
    assert gone.withdrawn_at is not None and [c.action for c in gone.changes] == ["edit", "withdraw"]
    stored = db.decision(db.slug, made.number)
    assert stored is not None and stored.text == "Pause the contest" and stored.author == "ana@acme.org"
    assert [(c.action, c.author) for c in stored.changes] == [("edit", "bob@acme.org"), ("withdraw", "cy@acme.org")]
    line = history_text(db, db.slug).splitlines()[-1]
    assert "Pause the contest" in line and "[edited 1x]" in line and "[withdrawn " in line
    with pytest.raises(UsageError, match="withdrawn"):
        db.edit_decision(db.slug, made.number, "bob@acme.org", "Again", None, None)
    with pytest.raises(UsageError, match="no decision 9"):
        db.withdraw_decision(db.slug, 9, "bob@acme.org")
