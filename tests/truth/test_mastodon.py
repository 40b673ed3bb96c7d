"""A Mastodon account archive's outbox.json: posts, replies and boosts per account and per month against
`measure`; the archive has no like or boost counts, so no figure is invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.warehouse.ingest import IngestResult
from strategyfirst.workspace import Workspace
from tests.truth import reference as ref
from tests.truth.support import BYS, check


@pytest.fixture(scope="module")
def path(shared_data: Path) -> Path:
    return shared_data / "mastodon/dealingwith/outbox.json"


@pytest.fixture(scope="module")
def records(path: Path) -> list[ref.Record]:
    return ref.mastodon_outbox(path)


@pytest.fixture(scope="module")
def imported(path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, IngestResult]:
    ws = Workspace(tmp_path_factory.mktemp("mastodon"))
    return ws, ws.ingest([path])


@pytest.fixture(scope="module")
def ws(imported: tuple[Workspace, IngestResult]) -> Workspace:
    return imported[0]


def test_every_activity_is_a_message(imported: tuple[Workspace, IngestResult], records: list[ref.Record]) -> None:
    f = imported[1].files[0]
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (len(records), len(records), 0)
    assert len({r.message_id for r in records}) == len(records)


def test_posts(ws: Workspace, records: list[ref.Record]) -> None:
    check("posts", {bp: ref.owned_metric(records, "posts", *bp) for bp in BYS}, ws)


def test_dialogue_ratio(ws: Workspace, records: list[ref.Record]) -> None:
    """Replies to posts not in the archive count as replies to the audience; self-threads do not."""
    check("dialogue_ratio", {bp: ref.dialogue_metric(records, "dialogue_ratio", *bp) for bp in BYS}, ws,
          check_n=False)


@pytest.mark.parametrize("metric", ["impressions", "engagements", "reach"])
def test_no_figure_is_invented(metric: str, ws: Workspace, records: list[ref.Record]) -> None:
    check(metric, {bp: ref.owned_metric(records, metric, *bp) for bp in BYS}, ws, given=False)


def test_likes_json_is_not_an_outbox(shared_data: Path, tmp_path: Path) -> None:
    """12.9: likes.json (the account's favourites) is a file of another kind, refused as such."""
    with pytest.raises(ImportFileError, match="likes"):
        Workspace(tmp_path).ingest([shared_data / "mastodon/dealingwith/likes.json"])
