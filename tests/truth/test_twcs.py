"""The Kaggle twcs sample: owned posts, inbound messages, answers and dialogue per account and per month."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.warehouse.ingest import IngestResult
from strategyfirst.workspace import Workspace
from tests.truth import reference as ref
from tests.truth.support import BYS, check


@pytest.fixture(scope="module")
def path(shared_data: Path) -> Path:
    return shared_data / "twcs/sample.csv"


@pytest.fixture(scope="module")
def records(path: Path) -> list[ref.Record]:
    return ref.twcs(path)


@pytest.fixture(scope="module")
def imported(path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, IngestResult]:
    ws = Workspace(tmp_path_factory.mktemp("twcs"))
    return ws, ws.ingest([path])


@pytest.fixture(scope="module")
def ws(imported: tuple[Workspace, IngestResult]) -> Workspace:
    return imported[0]


def test_every_line_is_a_message(imported: tuple[Workspace, IngestResult], records: list[ref.Record]) -> None:
    f = imported[1].files[0]
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (len(records), len(records), 0) == (93, 93, 0)


@pytest.mark.parametrize("metric", ["posts"])
def test_owned_counts(metric: str, ws: Workspace, records: list[ref.Record]) -> None:
    check(metric, {bp: ref.owned_metric(records, metric, *bp) for bp in BYS}, ws)


def test_inbound_messages_per_account(ws: Workspace, records: list[ref.Record]) -> None:
    check("inbound_messages", {bp: ref.dialogue_metric(records, "inbound_messages", *bp) for bp in BYS
                               if bp[0] == "account"}, ws)


def test_inbound_messages_overall(ws: Workspace, records: list[ref.Record]) -> None:
    """by none: each inbound message once, however many owned accounts it addresses."""
    pairs = ref.inbound_pairs(records)
    distinct = {m.message_id for m, _, _ in pairs}
    assert len(distinct) == len(pairs)  # in this sample no message addresses two accounts
    check("inbound_messages", {bp: ref.dialogue_metric(records, "inbound_messages", *bp) for bp in BYS
                               if bp[0] == "none"}, ws)


@pytest.mark.parametrize("metric", ["response_rate", "dialogue_ratio"])
def test_dialogue(metric: str, ws: Workspace, records: list[ref.Record]) -> None:
    check(metric, {bp: ref.dialogue_metric(records, metric, *bp) for bp in BYS}, ws, check_n=False)


def test_data_quality_counts(ws: Workspace, records: list[ref.Record]) -> None:
    ids = {r.message_id for r in records}
    missing = sum(1 for r in records if r.in_reply_to and r.in_reply_to not in ids)
    quality = ws.measure(metrics=["posts"]).data_quality
    assert (quality["replies_with_missing_parent"], quality["rows_rejected"]) == (missing, 0)
    assert missing == 2
