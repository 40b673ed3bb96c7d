"""`meta-ads`: Ads Manager exports as spend; the account total skipped, never double counted, currencies checked.

Expected figures are worked out by hand from the rows written below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

# Ads Manager "Export table data" at campaign level: the first data row is the account total (names empty).
CAMPAIGNS = (
    '"Reporting starts","Reporting ends","Campaign name","Campaign delivery","Attribution setting","Results",'
    '"Result indicator","Reach","Impressions","Cost per results","Amount spent (UAH)","Ends"\n'
    '"2024-03-01","2024-03-31","","","","","","21000","52000","","2350.75",""\n'
    '"2024-03-01","2024-03-31","Summit contest","inactive","7-day click or 1-day view","120",'
    '"actions:link_click","15000","40000","12.5","1500.00","2024-03-20"\n'
    '"2024-03-01","2024-03-31","Members drive","active","7-day click or 1-day view","35",'
    '"actions:offsite_conversion.fb_pixel_lead","6000","12000","24.31","850.75","Ongoing"\n'
)
# The same account and month broken down by age: no campaign column, an account total first.
BY_AGE = (
    "Reporting starts,Reporting ends,Age,Results,Result indicator,Reach,Impressions,Cost per results,"
    "Amount spent (UAH)\n"
    "2024-03-01,2024-03-31,,,,21000,52000,,2350.75\n"
    "2024-03-01,2024-03-31,18-24,50,actions:link_click,9000,20000,20,1000.00\n"
    "2024-03-01,2024-03-31,25-34,70,actions:link_click,12000,32000,19.3,1350.75\n"
)
# A daily export at ad set level (a `Day` column), with an Account name column.
DAILY = (
    "Day,Account name,Ad set name,Results,Result indicator,Impressions,Amount spent (EUR),Reporting starts,"
    "Reporting ends\n"
    ",,,,,3000,60.00,2024-04-01,2024-04-02\n"
    "2024-04-01,Acme Ads,Trail clubs,4,actions:link_click,1000,20.00,2024-04-01,2024-04-02\n"
    "2024-04-02,Acme Ads,Trail clubs,6,actions:link_click,2000,40.00,2024-04-01,2024-04-02\n"
)


def workspace(root: Path, currency: str | None = "UAH") -> Workspace:
    ws = Workspace(root)
    root.mkdir(parents=True, exist_ok=True)
    budget = f"budget: {{total: 100000, currency: {currency}}}\n" if currency else ""
    (root / "strategy.yaml").write_text("version: 1\n" + budget, encoding="utf-8")
    return ws


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_campaign_export_skips_the_account_total(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "Acme-Campaigns-Mar-1-2024-Mar-31-2024.csv", CAMPAIGNS)]))
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("meta-ads", 2, 0)
    got = query(ws, "SELECT date, date_to, platform, campaign, amount, currency, level, results, result_indicator, "
                    "impressions FROM spend ORDER BY campaign")
    assert got == [
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31), "meta", "Members drive", 850.75, "UAH", "campaign", 35.0,
         "actions:offsite_conversion.fb_pixel_lead", 12000.0),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31), "meta", "Summit contest", 1500.0, "UAH", "campaign", 120.0,
         "actions:link_click", 40000.0),
    ]
    # 1500.00 + 850.75 = 2350.75, the account total's figure: counted once, not twice.
    assert query(ws, "SELECT sum(amount) FROM spend") == [(2350.75,)]


def test_breakdown_after_campaigns_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    ingest(ws, [write(tmp_path / "campaigns.csv", CAMPAIGNS)])
    before = snapshot(ws)
    with pytest.raises(ImportFileError, match=r"would count the same money twice: import #1 \(.*campaigns.csv\) "
                                              r"already holds .* for 2024-03-01\.\.2024-03-31 by campaigns, and "
                                              r"this file has it by a breakdown") as err:
        ingest(ws, [write(tmp_path / "age.csv", BY_AGE)])
    assert err.value.line == 3  # the first row after the skipped total
    assert snapshot(ws) == before


def test_campaigns_after_a_breakdown_are_refused_too(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "age.csv", BY_AGE)]))
    # Both age rows are the account's spend with campaign unknown: one row, 1000.00 + 1350.75, results 50 + 70.
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)  # two lines, each counted
    assert query(ws, "SELECT campaign, level, amount, results FROM spend") == [(None, "breakdown", 2350.75, 120.0)]
    with pytest.raises(ImportFileError, match="would count the same money twice"):
        ingest(ws, [write(tmp_path / "campaigns.csv", CAMPAIGNS)])


def test_a_newer_export_of_the_same_level_and_period_updates(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    ingest(ws, [write(tmp_path / "a.csv", CAMPAIGNS)])
    newer = CAMPAIGNS.replace('"1500.00"', '"1600.00"').replace('"2350.75"', '"2450.75"')
    f = one(ingest(ws, [write(tmp_path / "b.csv", newer)]))
    assert (f["rows_new"], f["rows_updated"], f["rows_duplicate"]) == (0, 1, 1)
    assert query(ws, "SELECT sum(amount) FROM spend") == [(2450.75,)]


def test_daily_export_with_account_name(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", currency="EUR")
    f = one(ingest(ws, [write(tmp_path / "daily.csv", DAILY)]))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)
    assert query(ws, "SELECT date, date_to, account, campaign, level, amount, results FROM spend ORDER BY date") == [
        (dt.date(2024, 4, 1), dt.date(2024, 4, 1), "Acme Ads", "Trail clubs", "adset", 20.0, 4.0),
        (dt.date(2024, 4, 2), dt.date(2024, 4, 2), "Acme Ads", "Trail clubs", "adset", 40.0, 6.0)]


def test_another_currency_than_the_plan_is_refused_unless_a_rate_is_given(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", currency="EUR")
    path = write(tmp_path / "campaigns.csv", CAMPAIGNS)
    refused = r"spend in UAH but the plan's budget is in EUR: .*--rate UAH=RATE"
    with pytest.raises(ImportFileError, match=refused) as err:
        ingest(ws, [path])
    assert (err.value.line, err.value.column) == (1, 11)  # the `Amount spent (UAH)` header cell
    assert snapshot(ws)["spend"][0] == 0
    f = one(ingest(ws, [path], rates={"UAH": 0.025}))
    assert f["notes"] == ["spend of 2,350.75 UAH converted to 58.77 EUR at 0.025 (--rate UAH=0.025)"]
    # By hand: 1500.00 × 0.025 = 37.50 and 850.75 × 0.025 = 21.26875, stored in EUR.
    assert query(ws, "SELECT campaign, amount, currency FROM spend ORDER BY campaign") == [
        ("Members drive", pytest.approx(21.26875), "EUR"), ("Summit contest", pytest.approx(37.5), "EUR")]


def test_spend_csv_is_checked_the_same_way(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", currency="EUR")
    path = write(tmp_path / "spend.csv", "date,platform,tactic,amount,currency\n2024-01-02,x,contest,100,EUR\n"
                                         "2024-01-03,x,contest,200,USD\n")
    with pytest.raises(ImportFileError, match="spend in USD but the plan's budget is in EUR") as err:
        ingest(ws, [path])
    assert (err.value.line, err.value.column) == (3, 5)
    ingest(ws, [path], rates=["USD=0.9"])
    assert query(ws, "SELECT amount, currency FROM spend ORDER BY date") == [(100.0, "EUR"), (180.0, "EUR")]


def test_without_a_plan_currency_the_stored_spend_sets_it(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", currency=None)
    ingest(ws, [write(tmp_path / "daily.csv", DAILY)])  # EUR, the first spend stored
    with pytest.raises(ImportFileError, match="spend in UAH but the spend already stored is in EUR"):
        ingest(ws, [write(tmp_path / "campaigns.csv", CAMPAIGNS)])


def test_xlsx_export_reads_like_the_csv(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "Acme-Campaigns-Mar-1-2024-Mar-31-2024.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Raw Data Report")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Reporting starts", "Reporting ends", "Campaign name", "Results", "Result indicator",
                           "Impressions", "Amount spent (UAH)"])
    rows = [["", "", "", 52000, 2350.75],  # the account total: no name, no results
            ["Summit contest", 120, "actions:link_click", 40000, 1500],
            ["Members drive", 35, "actions:link_click", 12000, 850.75]]
    for i, cells in enumerate(rows, start=1):
        sheet.write_datetime(i, 0, dt.datetime(2024, 3, 1), day)
        sheet.write_datetime(i, 1, dt.datetime(2024, 3, 31), day)
        sheet.write_row(i, 2, cells)
    book.close()
    ws = workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("meta-ads", 2, 0)
    assert query(ws, "SELECT date, date_to, campaign, amount, results, impressions FROM spend ORDER BY campaign") == [
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31), "Members drive", 850.75, 35.0, 12000.0),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31), "Summit contest", 1500.0, 120.0, 40000.0)]
    # A bad cell is located on its sheet row (here row 3: the first campaign).
    bad = tmp_path / "bad.xlsx"
    book = xlsxwriter.Workbook(str(bad))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Reporting starts", "Reporting ends", "Campaign name", "Amount spent (UAH)"])
    sheet.write_row(1, 0, ["2024-04-01", "2024-04-30", "", 10])
    sheet.write_row(2, 0, ["2024-04-01", "2024-04-30", "Drive", "ten"])
    book.close()
    f = one(ingest(ws, [bad]))
    assert query(ws, "SELECT line, reason FROM rejects") == [(3, "Amount spent is not a number")]


def test_the_same_export_with_another_account_moves_the_spend_not_doubles_it(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    path = write(tmp_path / "campaigns.csv", CAMPAIGNS)
    ingest(ws, [path], account="Old name")
    f = one(ingest(ws, [path], account="Acme Ads"))
    assert (f["rows_new"], f["rows_updated"]) == (0, 2)
    assert query(ws, "SELECT account, sum(amount) FROM spend GROUP BY account") == [("Acme Ads", 2350.75)]
