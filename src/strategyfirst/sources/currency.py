"""Spend in one currency: what a file stages into `spend` is checked against the plan's currency.

Amounts in different currencies are never added silently. Staged spend whose currency differs from the plan's
(`budget.currency`; without a plan currency, from the currency of the spend already stored) is refused with one
line naming the file, where the currency is written and the option to give, unless the user gave a rate:
`--rate UAH=0.024` means 1 UAH = 0.024 of the plan's currency; the amounts are then converted and stored in the
plan's currency, and the import summary says so. Rows without a currency are taken to be in the plan's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from strategyfirst.errors import UsageError
from strategyfirst.sources.base import normalise_column
from strategyfirst.sources.textfile import SourceFile

if TYPE_CHECKING:
    import duckdb

RATE = re.compile(r"^\s*([A-Za-z]{3})\s*=\s*([0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*$")


def parse_rates(given: Iterable[str] | Mapping[str, float] | None) -> dict[str, float]:
    """`["UAH=0.024", "USD=0.92"]` (or a mapping) as {"UAH": 0.024, ...}; a malformed one is a usage error."""
    if not given:
        return {}
    if isinstance(given, Mapping):
        pairs = [(str(k), float(v)) for k, v in given.items()]
    else:
        pairs = []
        for text in given:
            found = RATE.match(text)
            if not found:
                raise UsageError(f"--rate {text!r} is not CUR=NUMBER, e.g. --rate UAH=0.024 (1 UAH in the plan's "
                                 "currency)")
            pairs.append((found.group(1), float(found.group(2))))
    rates: dict[str, float] = {}
    for code, value in pairs:
        if not value > 0:
            raise UsageError(f"--rate {code}={value}: a rate must be a positive number")
        rates[code.strip().upper()] = value
    return rates


def rates_option(rates: Mapping[str, float]) -> str | None:
    """The rates as one stable string for the import's recorded options (None when there are none)."""
    return ",".join(f"{k}={v!r}" for k, v in sorted(rates.items())) or None


def _is_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND view_name = ?",
                            [name]).fetchone()[0])  # type: ignore[index]


def _where(sf: SourceFile, line: int) -> tuple[int, int | None]:
    """Where the currency of a row is written: its `currency` cell, or the `Amount spent (CUR)` header."""
    keys = [normalise_column(h) for h in sf.header]
    if "currency" in keys:
        return line, keys.index("currency") + 1
    spent = next((i for i, k in enumerate(keys) if k.startswith("amount spent (")), None)
    return (1, spent + 1) if spent is not None else (line, None)


def check_spend(con: duckdb.DuckDBPyConnection, sf: SourceFile, plan_currency: str | None,
                rates: Mapping[str, float], *, rows: int | None = None) -> tuple[str, ...]:
    """Refuse or convert staged spend in another currency; returns the summary's notes of conversions.
    `rows`: the staged spend rows when the caller counted them."""
    if rows is None:
        rows = int(con.execute("SELECT count(*) FROM stage_spend").fetchone()[0])  # type: ignore[index]
    if not rows:
        return ()
    target = (plan_currency or "").strip().upper() or None
    if target is None:
        row = con.execute("SELECT min(upper(currency)) FROM spend WHERE currency IS NOT NULL "
                          "HAVING count(DISTINCT upper(currency)) = 1").fetchone()
        target = row[0] if row else None
        if target is None:
            return ()
    found = con.execute("SELECT upper(currency), min(line), sum(amount) FROM stage_spend WHERE currency IS NOT NULL "
                        "AND upper(currency) <> ? GROUP BY ALL ORDER BY 2", [target]).fetchall()
    if not found:
        return ()
    for code, line, _ in found:
        if code not in rates:
            where = "the plan's budget is in" if plan_currency else "the spend already stored is in"
            fix = (f" (or set budget.currency: {code} in strategy.yaml if the budget is in {code})" if plan_currency
                   else " (or set budget.currency in strategy.yaml)")
            at_line, column = _where(sf, int(line))
            raise sf.error(f"spend in {code} but {where} {target}: amounts in two currencies are never added; "
                           f"pass --rate {code}=RATE (1 {code} in {target}) to convert them{fix}", at_line, column)
    cases = " ".join(f"WHEN '{code}' THEN {rates[code]!r}" for code, _, _ in found)
    factor = f"(CASE upper(currency) {cases} ELSE 1.0 END)"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _spend_converted AS
        SELECT * REPLACE (amount * {factor} AS amount,
                          CASE WHEN currency IS NULL THEN NULL ELSE '{target}' END AS currency)
        FROM stage_spend""")
    con.execute(f"DROP {'VIEW' if _is_view(con, 'stage_spend') else 'TABLE'} stage_spend")
    con.execute("CREATE TEMP VIEW stage_spend AS SELECT * FROM _spend_converted")
    return tuple(f"spend of {total:,.2f} {code} converted to {total * rates[code]:,.2f} {target} at "
                 f"{rates[code]!r} (--rate {code}={rates[code]!r})" for code, _, total in found)
