"""The CLI and the web app write to one database at once: numbering stays unique and nothing is lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

from strategyfirst.appdb import AppDB, connect


def test_concurrent_writers_keep_one_numbering(db: AppDB, db_url: str) -> None:
    other = AppDB(connect(db_url).engine, db_url)  # a second handle, as a second process would hold

    def work(i: int) -> None:
        handle = db if i % 2 else other
        handle.record_plan_version(db.slug, f"version: 1\norganisation: Org {i % 4}\n")
        handle.record_decision(db.slug, f"decision {i}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(12)))
    versions = db.plan_versions(db.slug)
    decisions = db.decisions(db.slug)
    # one numbering without gaps; a text recorded while it is the current one is no new version, so no two
    # consecutive versions hold the same text (going back to an earlier text is a new version: a revert)
    assert [v.number for v in versions] == list(range(1, len(versions) + 1))
    assert {v.text for v in versions} == {f"version: 1\norganisation: Org {k}\n" for k in range(4)}
    assert all(a.text != b.text for a, b in pairwise(versions))
    assert [d.number for d in decisions] == list(range(1, 13))
    assert sorted(d.text for d in decisions) == sorted(f"decision {i}" for i in range(12))
