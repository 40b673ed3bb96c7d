"""`measure --funnel` in words: the permission funnel per scope, then the permission asset per list and account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from strategyfirst.formatting import count, step_rate

if TYPE_CHECKING:
    from strategyfirst.metrics.funnel import Funnel, FunnelReport

RULE = ("Site sessions per tactic: the GA4 rows of its campaign (Session campaign = a campaign its match names), "
        "else the Session source / medium rows whose source names one of its platforms (email: medium email); "
        "overall: the Organic Social, Paid Social and Email channel groups.")


def _trend(change: float | None, before: str) -> str:
    return "" if change is None else f" ({change:+.0%} on {before})"


def funnel_lines(f: Funnel, before: str = "the month before") -> list[str]:
    """One scope's chain as plain lines (also used by the demo); `before`: what the trend compares with."""
    if not f.steps:
        return [f"  no funnel data; {f.breaks_at['why'] if f.breaks_at else ''}".rstrip("; ")]
    lines: list[str] = []
    for i, s in enumerate(f.steps):
        label = s["label"]  # "Reach (impressions)" where the scope's reach is its impressions, as in the report
        value = "no data" if s["value"] is None else count(s["value"])
        line = f"  {'-> ' if i else ''}{label}: {value}{_trend(s['change'], before)}"
        if i and s["conversion"] is not None:
            was = (f", was {step_rate(s['conversion_previous'])}" if s["conversion_previous"] is not None else "")
            line += f"; {step_rate(s['conversion'])} of {f.steps[i - 1]['label'].lower()}{was}"
        if s["step"] == "new_followers" and f.churn is not None:
            line += f"; churn {count(f.churn)} (unsubscribed, cleaned, unfollowed)"
        lines.append(line)
    if f.breaks_at:
        lines.append(f"  the chain breaks at {f.breaks_at['step'].replace('_', ' ')}: {f.breaks_at['why']}")
    else:
        lines.append(f"  no step fell against {before}")
    return lines


def asset_lines(asset: list[dict[str, Any]]) -> list[str]:
    lines = []
    for a in asset:
        net = "n/a" if a["net"] is None else f"{a['net']:+,.0f}"
        lines.append(f"  {a['platform']} {a['account']}: {count(a['gained'])} gained, {count(a['lost'])} lost, "
                     f"net {net}" + ("" if a["net_previous"] is None else f" (month before {a['net_previous']:+,.0f})"))
    return lines


def render_funnel(report: FunnelReport, out: Console) -> None:
    if report.period is None:
        out.print("Permission funnel: no data yet (import post, follower, member and GA4 exports).",
                  highlight=False)
        return
    before = "the month before"
    if report.dates is not None:  # the data ends inside the month: the month before over as many days
        before = "the same days of the month before"
        out.print(f"[bold]Permission funnel, {report.dates}[/]", highlight=False)
    else:
        out.print(f"[bold]Permission funnel, {report.period}[/] (trend against {report.previous})", highlight=False)
    for f in report.funnels:
        out.print(f"[bold]{escape(f.scope)}[/]", highlight=False)
        for line in funnel_lines(f, before):
            out.print(escape(line), highlight=False, soft_wrap=True)
    if report.asset:
        out.print("[bold]Permission asset[/] (followers and email lists, gained and lost in the month)",
                  highlight=False)
        for line in asset_lines(report.asset):
            out.print(escape(line), highlight=False, soft_wrap=True)
    out.print(f"[dim]{escape(RULE)}[/]", highlight=False)
