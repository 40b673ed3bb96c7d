"""`simulate(out, events, seed)`: write the simulated organisation's plan, export files and truth.json.

Deterministic: the same seed and size give byte-identical files (every random stream is seeded from
(seed, stream number), and nothing depends on the clock or on dict/set iteration order).
"""

from __future__ import annotations

import json
import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from strategyfirst.errors import UsageError
from strategyfirst.simulate import org
from strategyfirst.simulate.audience import write_audience, write_spend
from strategyfirst.simulate.conversations import first_conversations, generate_chunk
from strategyfirst.simulate.csvtext import write_lines
from strategyfirst.simulate.exports import snowflake_ids, write_facebook, write_x_analytics
from strategyfirst.simulate.permission import write_ads, write_campaigns, write_ga4, write_members
from strategyfirst.simulate.plan import plan_text
from strategyfirst.simulate.platforms import (
    LINKEDIN_ACCOUNT,
    PLATFORMS,
    TIKTOK_HANDLE,
    WRITERS,
    PlatformPosts,
    draw_platform,
)
from strategyfirst.simulate.posts import X_DESIGNS, Posts, draw_facebook, draw_posts
from strategyfirst.simulate.staffing import declared_schedule, hour_occurrences, staffing_blocks
from strategyfirst.simulate.tally import DialogueTally, template_scores
from strategyfirst.simulate.truth import build_truth
from strategyfirst.simulate.twcs import chunk_lines, twcs_header

CHUNK_CONVERSATIONS = 250_000
MESSAGES_PER_CONVERSATION = 2.9   # about what the dynamics in org.py give
FULL_POSTING_AT = 20_000          # below this many events, owned accounts post proportionally less
FIRST_TWEET_ID = 500_000
FB_PERIODS = ((org.START, org.CONTEST_START.replace(month=6)), (org.CONTEST_START.replace(month=6), org.END))
FIRST_POST_IDS = {"instagram": 17_900_000_000_000_000, "tiktok": 7_400_000_000_000_000_000,
                  "linkedin": 7_380_000_000_000_000_000}
# What a group of files needs besides auto-detection: the LinkedIn workbook and TikTok's Overview and
# FollowerHistory name no account (Content.csv's video links do: the same handle), TikTok's dates no year.
INGEST_OPTIONS: dict[str, dict[str, Any]] = {"linkedin-content": {"account": LINKEDIN_ACCOUNT},
                                             "tiktok-analytics": {"year": org.END.year, "account": TIKTOK_HANDLE}}


@dataclass(frozen=True)
class SimulationSummary:
    """What `simulate` wrote: the plan, truth.json, the export files per source, and the truth itself."""

    out: Path
    plan: Path
    truth_path: Path
    files: dict[str, list[Path]]
    messages: int
    truth: dict[str, Any] = field(repr=False)
    # Written beside the exports, not among them: the Ads Manager export holds spend.csv's ride-stories money
    # (both imported would count it twice); import one or the other.
    extra: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def exports(self) -> list[Path]:
        """The export files that import with auto-detection alone, in a stable order (`Workspace.ingest`);
        `ingest_into` imports these and the ones that need an option."""
        return [p for group, paths in self.files.items() if group not in INGEST_OPTIONS for p in paths]

    @property
    def every_file(self) -> list[Path]:
        """Every export file (`ingest_into` imports them all)."""
        return [p for paths in self.files.values() for p in paths]

    def ingest_into(self, ws: Any) -> Any:
        """Import every file into a Workspace: `exports`, then each group that needs an option (given as the
        simulated organisation's); returns one IngestResult of them all."""
        return ingest_simulated(ws, self.files)


def simulated_files(out: Path) -> dict[str, list[Path]]:
    """The export files a simulation wrote into `out`, per source, as its truth.json lists them (for a process
    that did not run `simulate` itself: the benchmark's ingest step)."""
    truth = json.loads((Path(out) / "truth.json").read_text(encoding="utf-8"))
    return {group: [Path(out) / p for p in paths] for group, paths in truth["files"].items()}


def ingest_simulated(ws: Any, files: dict[str, list[Path]]) -> Any:
    """The one way the simulated files are imported (demo, tests, benchmarks): in one `Workspace.ingest_groups`
    (one refresh of the derived tables), every group that auto-detection alone reads, then each group of
    INGEST_OPTIONS with its options; returns its IngestResult."""
    auto = [p for group, paths in files.items() if group not in INGEST_OPTIONS for p in paths]
    groups: list[tuple[list[Path], dict[str, Any]]] = [(auto, {})] if auto else []
    groups += [(files[group], options) for group, options in INGEST_OPTIONS.items() if files.get(group)]
    return ws.ingest_groups(groups)


def _rng(seed: int, stream: int, *more: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream, *more])


def _clean(folder: Path, pattern: str) -> None:
    """Remove files a previous run wrote here (other sizes write other months), nothing else."""
    for old in folder.glob(pattern):
        old.unlink()


def _write_twcs(path: Path, target: int, seed: int, tally: DialogueTally) -> int:
    """Chunks of conversations: the next one is drawn while a worker thread formats the previous one."""
    n_customers = max(50, target // 5)
    written, conv_base, chunk_no = 0, 0, 0
    pending: Future[pa.Array] | None = None
    with path.open("wb") as fh, ThreadPoolExecutor(max_workers=1) as pool:
        fh.write(twcs_header().encode())
        while written < target:
            remaining = target - written
            n_conv = min(CHUNK_CONVERSATIONS, math.ceil(remaining / MESSAGES_PER_CONVERSATION * 1.05) + 8)
            chunk = generate_chunk(_rng(seed, 100, chunk_no), n_conv, conv_base, n_customers)
            if len(chunk) > remaining:
                chunk = first_conversations(chunk, remaining)
                if len(chunk) == 0:
                    break
            formatted = pool.submit(chunk_lines, chunk, FIRST_TWEET_ID + written)
            tally.add(chunk)
            written += len(chunk)
            conv_base += n_conv
            chunk_no += 1
            if pending is not None:
                write_lines(fh, pending.result())
            pending = formatted
        if pending is not None:
            write_lines(fh, pending.result())
    return written


def simulate(out: Path, events: int = 50_000, seed: int = 7) -> SimulationSummary:
    """Write `strategy.yaml`, `truth.json` and export files holding about `events` messages in all."""
    if events < 100:
        raise UsageError(f"--events {events}: simulate at least 100 messages")
    if seed < 0:
        raise UsageError(f"--seed {seed}: give a seed of 0 or more")
    out = Path(out)
    existing = next((p for p in (out, *out.parents) if p.exists()), None)  # it makes the folders below it
    if existing is not None and not existing.is_dir():
        raise UsageError(f"--out {out}: {existing} is a file, not a folder: give simulate a folder to write into")
    folders = {name: out / "exports" / name for name in ("twcs", "x-analytics", "facebook-insights")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    _clean(folders["x-analytics"], "tweet_activity_metrics_*.csv")
    _clean(folders["facebook-insights"], "Facebook Insights Data Export (Post Level) - *.csv")

    scale = min(1.0, events / FULL_POSTING_AT)
    x_posts: list[tuple[Posts, np.ndarray]] = []
    files: dict[str, list[Path]] = {"twcs": [], "x-analytics": [], "facebook-insights-posts": [],
                                    "audience-csv": [], "spend-csv": []}
    social: list[PlatformPosts] = []
    for i, spec in enumerate(PLATFORMS):
        folder = out / "exports" / spec.platform
        folder.mkdir(parents=True, exist_ok=True)
        drawn = draw_platform(_rng(seed, 40, i), spec, scale, FIRST_POST_IDS[spec.platform])
        files[spec.source] = WRITERS[spec.platform](folder, drawn)
        social.append(drawn)
    for i, design in enumerate(X_DESIGNS):
        posts = draw_posts(_rng(seed, 10, i), design, scale)
        ids = snowflake_ids(_rng(seed, 11, i), posts.t)
        x_posts.append((posts, ids))
        files["x-analytics"] += write_x_analytics(folders["x-analytics"], posts, ids)
    fb = draw_facebook(_rng(seed, 20), scale)
    files["facebook-insights-posts"] = write_facebook(folders["facebook-insights"], fb, list(FB_PERIODS))

    n_posts = sum(len(p) for p, _ in x_posts) + len(fb) + sum(len(p) for p in social)
    tally = DialogueTally()
    twcs_path = folders["twcs"] / "twcs.csv"
    n_twcs = _write_twcs(twcs_path, max(0, events - n_posts), seed, tally)
    files["twcs"] = [twcs_path]

    audience_path, spend_path = out / "exports" / "audience.csv", out / "exports" / "spend.csv"
    newsletter = f"email:{org.NEWSLETTER}"
    audience = write_audience(audience_path, _rng(seed, 30), leave_out=frozenset({newsletter}))
    spend = write_spend(spend_path, _rng(seed, 31))
    files["audience-csv"], files["spend-csv"] = [audience_path], [spend_path]
    # The newsletter as Mailchimp exports it, and the site's visits as GA4 does (simulate/permission.py).
    mailchimp, ga4 = out / "exports" / "mailchimp", out / "exports" / "ga4"
    for folder in (mailchimp, ga4):
        folder.mkdir(parents=True, exist_ok=True)
    _clean(ga4, "Traffic_acquisition_*.csv")
    files["mailchimp-members"], audience[newsletter], members = write_members(mailchimp, _rng(seed, 50))
    campaigns = write_campaigns(mailchimp / "campaigns.csv", _rng(seed, 51), members)
    files["mailchimp-campaigns"] = [mailchimp / "campaigns.csv"]
    files["ga4-export"], site = write_ga4(ga4, _rng(seed, 52), [p for p, _ in x_posts], fb,
                                          campaigns.pop("clicks_by_month"))

    per_hour = tally.hour_of_week_counts() / np.maximum(hour_occurrences(), 1)
    needed, declared = declared_schedule(per_hour)
    plan_path = out / "strategy.yaml"
    plan_path.write_text(plan_text(staffing_blocks(declared), [p.spec for p in social]), encoding="utf-8")

    scores = template_scores([f"@{d.handle} " for d in org.DESKS])
    truth = build_truth(seed=seed, events=events, tally=tally, scores=scores, x_posts=x_posts, fb=fb,
                        audience=audience, spend=spend, per_hour=per_hour, needed=needed, declared=declared,
                        files={k: [p.relative_to(out).as_posix() for p in v] for k, v in files.items()},
                        counts={"twcs": n_twcs, "x_analytics": sum(len(p) for p, _ in x_posts),
                                "facebook_posts": len(fb), **{f"{p.spec.platform}_posts": len(p) for p in social}},
                        social=social)
    truth["site"], truth["email_campaigns"] = site, campaigns
    truth["ingest_options"] = INGEST_OPTIONS  # what `ingest` needs besides the files (--account, --year)
    ads_folder = out / "extra" / "ads"
    ads_folder.mkdir(parents=True, exist_ok=True)
    ads_path = ads_folder / f"Northwind-Cycles-Campaigns-{org.START:%b-%-d-%Y}-{org.AS_OF:%b-%-d-%Y}.csv"
    truth["ads"] = write_ads(ads_path, _rng(seed, 53), spend_path)
    truth_path = out / "truth.json"
    truth_path.write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return SimulationSummary(out=out, plan=plan_path, truth_path=truth_path, files=files,
                             messages=n_twcs + n_posts, truth=truth, extra={"meta-ads": [ads_path]})
