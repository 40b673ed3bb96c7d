"""Dialogue metrics per account and month straight from a twcs CSV, without strategyfirst: the baselines.

Both compute, per owned account and calendar month of the inbound message: the response rate (inbound
messages with at least one reply from the account they address / inbound messages) and the median and 90th
percentile (linear) of minutes to the earliest such reply. An inbound message addresses the owned account
whose @handle it mentions; owned accounts are the authors of the `inbound = False` rows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

DATE_FORMAT = "%a %b %d %H:%M:%S %z %Y"


def with_pandas(csv_path: Path) -> pd.DataFrame:
    """What an analyst writes in a notebook: read the CSV, find replies, group by account and month."""
    df = pd.read_csv(csv_path, dtype={"tweet_id": "int64", "author_id": str, "text": str,
                                      "response_tweet_id": str, "in_response_to_tweet_id": "Int64"})
    df["created_at"] = pd.to_datetime(df["created_at"], format=DATE_FORMAT, utc=True)
    owned = sorted(df.loc[~df["inbound"], "author_id"].unique())

    inbound = df[df["inbound"]].copy()
    pattern = "@(" + "|".join(re.escape(h) for h in owned) + r")\b"
    inbound["account"] = inbound["text"].str.extract(pattern, expand=False)
    inbound = inbound.dropna(subset=["account"])

    replies = df[~df["inbound"] & df["in_response_to_tweet_id"].notna()]
    first = (replies.groupby(["in_response_to_tweet_id", "author_id"], as_index=False)["created_at"].min()
             .rename(columns={"in_response_to_tweet_id": "tweet_id", "author_id": "account",
                              "created_at": "replied_at"}))
    first["tweet_id"] = first["tweet_id"].astype("int64")
    merged = inbound.merge(first, on=["tweet_id", "account"], how="left")
    merged["minutes"] = (merged["replied_at"] - merged["created_at"]).dt.total_seconds() / 60
    merged["month"] = merged["created_at"].dt.strftime("%Y-%m")

    grouped = merged.groupby(["account", "month"])
    out = pd.DataFrame({
        "response_rate": grouped["replied_at"].apply(lambda s: s.notna().mean()),
        "median": grouped["minutes"].median(),
        "p90": grouped["minutes"].quantile(0.9),
    }).reset_index()
    return out


SQL = """
WITH msgs AS (
    SELECT tweet_id, author_id, inbound, strptime(created_at, '%a %b %d %H:%M:%S %z %Y') AS ts, text,
           in_response_to_tweet_id AS parent
    FROM read_csv(?, header = true, columns = {
        'tweet_id': 'BIGINT', 'author_id': 'VARCHAR', 'inbound': 'BOOLEAN', 'created_at': 'VARCHAR',
        'text': 'VARCHAR', 'response_tweet_id': 'VARCHAR', 'in_response_to_tweet_id': 'BIGINT'})
),
owned AS (SELECT DISTINCT author_id AS account FROM msgs WHERE NOT inbound),
inbound AS (
    SELECT m.tweet_id, m.ts, o.account
    FROM msgs m JOIN owned o ON contains(m.text, '@' || o.account)
    WHERE m.inbound
),
first_reply AS (
    SELECT parent, author_id AS account, min(ts) AS ts FROM msgs
    WHERE NOT inbound AND parent IS NOT NULL GROUP BY ALL
),
gaps AS (
    SELECT i.account, strftime(i.ts AT TIME ZONE 'UTC', '%Y-%m') AS month,
           epoch(f.ts) - epoch(i.ts) AS seconds
    FROM inbound i LEFT JOIN first_reply f ON f.parent = i.tweet_id AND f.account = i.account
)
SELECT account, month, count(seconds) / count(*) AS response_rate,
       median(seconds / 60) AS median, quantile_cont(seconds / 60, 0.9) AS p90
FROM gaps GROUP BY ALL ORDER BY ALL
"""


def with_duckdb(csv_path: Path) -> pd.DataFrame:
    """One hand-written SQL query over the CSV, in DuckDB."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con.execute(SQL, [str(csv_path)]).df()


def as_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    names = {"response_rate": "response_rate", "median": "first_response_minutes_median",
             "p90": "first_response_minutes_p90"}
    rows = []
    for rec in frame.to_dict("records"):
        for col, metric in names.items():
            value = rec[col]
            rows.append({"metric": metric, "account": str(rec["account"]), "period": str(rec["month"]),
                         "value": None if pd.isna(value) else float(value)})
    return rows
