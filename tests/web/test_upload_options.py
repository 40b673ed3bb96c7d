"""The upload form and the API take the CLI's `--exported-on`, `--platform` and `--rate` (a Mailchimp export
uploaded from the web was dated by the latest time in the file, never by the day it was downloaded), checked
as the CLI checks them, refused with the CLI's one line in the form's or the API's words."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import duckdb

from tests.web.env import WebEnv

IMPORTS = "/api/v1/workspaces/acme/imports"
PAGE = "/w/acme/imports"


def mailchimp(shared_data: Path) -> tuple[str, bytes, str]:
    """The real Mailchimp audience export (five subscribed members, PROVENANCE.md)."""
    return ("subscribed.csv", (shared_data / "newsletter" / "tryghost-fixtures" / "subscribed.csv").read_bytes(),
            "text/csv")


def stored(env: WebEnv, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(env.acme.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def import_count(env: WebEnv) -> int:
    return len(env.bearer("viewer@acme.org").get(IMPORTS).json()["imports"])


def test_a_mailchimp_export_uploaded_with_its_export_day_is_dated_on_it(fresh_web: WebEnv,
                                                                        shared_data: Path) -> None:
    editor = fresh_web.login("editor@acme.org")
    r = editor.post(PAGE, files=[("files", mailchimp(shared_data))],
                    data={"account": "newsletter", "exported_on": "2024-05-31"})
    assert r.status_code == 200, r.text
    assert "list size dated 2024-05-31 (Exported on)" in r.text  # the import's note, in the form's words
    # the snapshot day is the one given, not 2023-04-21 (the latest OPTIN_TIME in the file, read by hand)
    snapshot = stored(fresh_web, "SELECT provider, exported_on FROM member_exports")
    assert snapshot == [("mailchimp", dt.date(2024, 5, 31))]
    # the list's size on that day: the file's five members (six lines, a header and five addresses)
    assert stored(fresh_web, "SELECT value FROM member_days WHERE date = DATE '2024-05-31'") == [(5.0,)]
    options = fresh_web.bearer("viewer@acme.org").get(IMPORTS).json()["imports"][0]["options"]
    assert '"exported_on": "2024-05-31"' in options  # the import log keeps it (rebuild replays it)


def test_without_the_export_day_the_file_s_latest_time_dates_it(fresh_web: WebEnv, shared_data: Path) -> None:
    r = fresh_web.bearer("editor@acme.org").post(IMPORTS, files=[("files", mailchimp(shared_data))],
                                                 data={"account": "newsletter"})
    assert r.status_code == 200, r.text
    (summary,) = r.json()["files"]
    # the note's advice names the API's field, not --exported-on
    assert any("send the `exported_on` field" in n for n in summary["notes"]), summary["notes"]
    assert "--exported-on" not in r.text
    assert stored(fresh_web, "SELECT exported_on FROM member_exports") == [(dt.date(2023, 4, 21),)]


def test_the_api_dates_a_mailchimp_export_on_exported_on(fresh_web: WebEnv, shared_data: Path) -> None:
    r = fresh_web.bearer("editor@acme.org").post(IMPORTS, files=[("files", mailchimp(shared_data))],
                                                 data={"account": "newsletter", "exported_on": "2024-05-31"})
    assert r.status_code == 200, r.text
    assert r.json()["files"][0]["status"] == "imported"
    assert stored(fresh_web, "SELECT exported_on FROM member_exports") == [(dt.date(2024, 5, 31),)]


def test_a_bad_export_day_is_the_cli_s_one_line_and_the_form_keeps_what_was_typed(fresh_web: WebEnv,
                                                                                  shared_data: Path) -> None:
    editor = fresh_web.login("editor@acme.org")
    typed = {"account": "newsletter", "exported_on": "2024-13-01", "year": "2024", "rate": "UAH=0.024",
             "platform": "instagram", "source": "mailchimp-members"}
    page = editor.post(PAGE, files=[("files", mailchimp(shared_data))], data=typed)
    assert page.status_code == 422
    [line] = re.findall(r"<li>(.*?)</li>", page.text[page.text.index('<ul class="error'):], re.S)[:1]
    # warehouse/ingest.py export_day's words for `--exported-on '2024-13-01'`, naming the form's field
    assert html.unescape(line) == "Exported on '2024-13-01' is not a date like 2026-03-31"
    for name in ("account", "exported_on", "year", "rate"):
        (tag,) = re.findall(rf'<input [^>]*name="{name}"[^>]*>', page.text)
        assert f'value="{typed[name]}"' in tag, tag
    assert re.search(r"<option selected>instagram</option>", page.text)
    assert re.search(r"<option selected>mailchimp-members</option>", page.text)
    assert import_count(fresh_web) == 0  # nothing imported
    fragment = editor.post(PAGE, files=[("files", mailchimp(shared_data))], data=typed,
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    assert fragment.text.startswith('<ul class="error upload-errors" role="alert"><li>Exported on &#39;2024-13-01&#39; '
                                    'is not a date like 2026-03-31</li></ul>')
    tomorrow = max(dt.date.today(), dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)
    later = editor.post(PAGE, files=[("files", mailchimp(shared_data))],
                        data={"exported_on": tomorrow.isoformat()}, headers={"HX-Request": "true"})
    assert later.status_code == 422 and f"Exported on {tomorrow} is after today" in later.text
    assert import_count(fresh_web) == 0


def test_the_api_refuses_a_bad_export_day_or_rate_at_its_field(fresh_web: WebEnv, shared_data: Path) -> None:
    editor = fresh_web.bearer("editor@acme.org")
    r = editor.post(IMPORTS, files=[("files", mailchimp(shared_data))],
                    data={"exported_on": "1999-12-31", "rate": "UAH=0,024"})
    assert r.status_code == 422
    detail = {tuple(p["loc"]): p["msg"] for p in r.json()["detail"]}
    assert detail == {
        ("body", "exported_on"): "`exported_on` 1999-12-31 is before 2000-01-01, older than any member export: "
                                 "give the day the file was downloaded",
        ("body", "rate"): "`rate` 'UAH=0,024' is not CUR=NUMBER, e.g. UAH=0.024 (1 UAH in the plan's currency)"}
    assert import_count(fresh_web) == 0


SPEND = ("spend.csv", b"date,platform,tactic,campaign,amount,currency\n2017-10-10,x,care-desk,,1000,UAH\n"
                      b"2017-10-11,x,tesco-desk,,50,USD\n", "text/csv")


def test_spend_in_another_currency_is_converted_with_the_form_s_rates(fresh_web: WebEnv) -> None:
    editor = fresh_web.login("editor@acme.org")
    refused = editor.post(PAGE, files=[("files", SPEND)], headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "fill in Currency rates with UAH=RATE (1 UAH in EUR) to convert them" in html.unescape(refused.text)
    assert "--rate" not in refused.text
    r = editor.post(PAGE, files=[("files", SPEND)], data={"rate": "UAH=0.024, USD=0.92"})
    assert r.status_code == 200, r.text
    # acme's budget is in EUR: 1000 UAH * 0.024 = 24 EUR; 50 USD * 0.92 = 46 EUR
    amounts = stored(fresh_web, "SELECT tactic, amount, currency FROM spend ORDER BY tactic")
    assert [(t, round(a, 6), c) for t, a, c in amounts] == [("care-desk", 24.0, "EUR"), ("tesco-desk", 46.0, "EUR")]


def test_the_api_takes_one_rate_field_per_currency(fresh_web: WebEnv) -> None:
    r = fresh_web.bearer("editor@acme.org").post(IMPORTS, files=[("files", SPEND)],
                                                 data={"rate": ["UAH=0.024", "USD=0.92"]})
    assert r.status_code == 200, r.text
    assert sorted(round(a, 6) for (a,) in stored(fresh_web, "SELECT amount FROM spend")) == [24.0, 46.0]


def test_a_platform_the_file_contradicts_is_refused_in_each_s_words(fresh_web: WebEnv, shared_data: Path) -> None:
    sample = ("sample.csv", (shared_data / "twcs" / "sample.csv").read_bytes(), "text/csv")
    page = fresh_web.login("editor@acme.org").post(PAGE, files=[("files", sample)], data={"platform": "instagram"},
                                                   headers={"HX-Request": "true"})
    assert page.status_code == 422
    said = html.unescape(page.text)
    assert "Platform instagram contradicts the file: its twcs rows are of platform x; import it with the " \
           "Platform the file says" in said and "--platform" not in said
    api = fresh_web.bearer("editor@acme.org").post(IMPORTS, files=[("files", sample)], data={"platform": "instagram"})
    assert api.status_code == 422
    assert "import it without the `platform` field" in api.json()["detail"][0]["msg"]
    assert import_count(fresh_web) == 0
