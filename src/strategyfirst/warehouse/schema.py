"""The canonical tables of the warehouse (../shared/spec/data.md) as DDL, with the schema version.

Derived tables (`inbound`, `attribution`) are rebuilt from the canonical ones; see `warehouse/derive.py`.
"""

from __future__ import annotations

SCHEMA_VERSION = 8

MESSAGE_FIGURES = ("impressions", "reach", "engagements", "likes", "comments", "shares", "saves", "clicks",
                   "follows", "video_views", "watch_minutes", "spend", "deliveries", "opens", "unsubscribes")

# The lifetime figures (MESSAGE_FIGURES; deliveries, opens and unsubscribes: an email campaign's delivered,
# unique opens and unsubscribes) are null on all but posts: the millions of replies and mentions of a
# conversations export hold none. Declared uncompressed, DuckDB skips trying each float compression on them:
# ~1 CPU s of the ~14 it takes to write 10M messages, for a file of the same size (DuckDB still stores a
# segment of nulls as a constant); the posts' figures take 8 bytes each.
# Ids (`x:1234567890123456789`: all distinct, digits after a prefix) are stored uncompressed, in `messages` and
# in the derived tables (materialise.column_ddl): DuckDB's dictionary+FSST compression, which it would choose
# for them, costs ~3x the CPU of writing them as they are (10M messages: 3.7 CPU s for message_id alone, 1.7
# uncompressed), to make them ~2.5x smaller; the texts, accounts and platforms compress as before.
UNCOMPRESSED = " USING COMPRESSION uncompressed"
ID_COLUMNS = frozenset({"message_id", "in_reply_to", "conversation_id", "conv", "first_reply_id"})

MESSAGES = """
CREATE TABLE IF NOT EXISTS messages (
    message_id      VARCHAR{ids} NOT NULL,  -- platform:native_id; unique (kept so by the import's merge)
    platform        VARCHAR NOT NULL,
    account         VARCHAR,               -- author handle / page name as the source gives it
    owned           BOOLEAN NOT NULL,
    created_at      TIMESTAMP,             -- UTC, naive
    time_precision  VARCHAR NOT NULL,      -- second | minute | day | month
    kind            VARCHAR NOT NULL,      -- post | reply | share | video
    text            VARCHAR,
    in_reply_to     VARCHAR{ids},          -- message_id of the parent
    conversation_id VARCHAR{ids},          -- message_id of the root of its reply tree (computed)
    url             VARCHAR,
    campaign        VARCHAR,
    {figures},
    sentiment       DOUBLE,                -- VADER compound of `text`, non-owned messages only (computed)
    parent_missing  BOOLEAN NOT NULL DEFAULT FALSE,  -- in_reply_to names a message not in the data
    import_id       INTEGER NOT NULL
)""".replace("{figures}", ", ".join(f"{f} DOUBLE{UNCOMPRESSED}" for f in MESSAGE_FIGURES)).replace(
    "{ids}", UNCOMPRESSED)

AUDIENCE = """
CREATE TABLE IF NOT EXISTS audience (
    date      DATE NOT NULL,
    platform  VARCHAR NOT NULL,
    account   VARCHAR NOT NULL,
    metric    VARCHAR NOT NULL,    -- followers | subscribers | page_likes | ...
    value     DOUBLE,              -- snapshot, nullable
    gained    DOUBLE,
    lost      DOUBLE,
    import_id INTEGER NOT NULL,
    PRIMARY KEY (date, platform, account, metric)
)"""

SPEND = """
CREATE TABLE IF NOT EXISTS spend (
    date      DATE NOT NULL,
    platform  VARCHAR,
    tactic    VARCHAR,
    campaign  VARCHAR,
    amount    DOUBLE NOT NULL,
    currency  VARCHAR,
    import_id INTEGER NOT NULL,
    account   VARCHAR,     -- v5: the ad account (Ads Manager exports)
    date_to   DATE,        -- v5: last day of the reporting period the row covers (null: the day `date`)
    level     VARCHAR,     -- v5: campaign | adset | ad | breakdown (Ads Manager); null for spend CSVs
    results   DOUBLE,      -- v5: Ads Manager `Results`, counted in `result_indicator` units
    result_indicator VARCHAR,
    impressions DOUBLE     -- v5: paid impressions
)"""

IMPORTS = """
CREATE TABLE IF NOT EXISTS imports (
    import_id      INTEGER PRIMARY KEY,
    file           VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_new       BIGINT NOT NULL,
    rows_updated   BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL
)"""

REJECTS = """
CREATE TABLE IF NOT EXISTS rejects (
    import_id INTEGER NOT NULL,
    file      VARCHAR NOT NULL,
    line      BIGINT,
    reason    VARCHAR NOT NULL,
    raw       VARCHAR
)"""

# Derived: one row per (inbound message, owned account it addresses), with the earliest reply of that account.
INBOUND = """
CREATE TABLE IF NOT EXISTS inbound (
    message_id          VARCHAR NOT NULL,
    platform            VARCHAR NOT NULL,
    account             VARCHAR NOT NULL,   -- the owned account addressed, normalised (lower case, no '@')
    created_at          TIMESTAMP,
    first_reply_id      VARCHAR,
    first_reply_at      TIMESTAMP,
    first_reply_minutes DOUBLE,            -- negative gaps are kept here and excluded by the metrics
    addressed           BOOLEAN            -- v7: it replies to or mentions the account; false: only the
                                           -- account's reply makes it inbound (metrics.md rule (b))
)"""

# Derived: a message's tactics. A table until the first rebuild; a view of `owned_attribution` and
# `inbound_attribution` where the plan's rules allow (derive._attribution).
ATTRIBUTION = """
CREATE TABLE IF NOT EXISTS attribution (
    message_id VARCHAR NOT NULL,
    tactic_id  VARCHAR NOT NULL
)"""

META = """
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
)"""

# Version 2: daily account totals (x-analytics-daily, YouTube Totals.csv) and daily figures per video
# (YouTube Chart data.csv); imports remember where their rejects were written.
ACCOUNT_DAILY = """
CREATE TABLE IF NOT EXISTS account_daily (
    date          DATE NOT NULL,
    platform      VARCHAR NOT NULL,
    account       VARCHAR NOT NULL,     -- '' where the export does not name its account
    posts DOUBLE, impressions DOUBLE, engagements DOUBLE, likes DOUBLE, comments DOUBLE, shares DOUBLE,
    clicks DOUBLE, follows DOUBLE, unfollows DOUBLE, video_views DOUBLE, watch_minutes DOUBLE,
    import_id     INTEGER NOT NULL,
    reach          DOUBLE,              -- v6: accounts reached that day (unique, as the platform counts them)
    profile_visits DOUBLE,              -- v6: visits to the profile / page that day
    PRIMARY KEY (date, platform, account)
)"""

VIDEO_DAILY = """
CREATE TABLE IF NOT EXISTS video_daily (
    date          DATE NOT NULL,
    platform      VARCHAR NOT NULL,
    message_id    VARCHAR NOT NULL,
    video_views   DOUBLE,
    watch_minutes DOUBLE,
    import_id     INTEGER NOT NULL,
    PRIMARY KEY (date, platform, message_id)
)"""

# Version 4: visits and conversions on the organisation's own site (GA4 exports), one row per table row: the
# date range the row covers (one day for daily tables), the property, which dimension the table is broken down
# by (`session default channel group`, `session source / medium`, `session campaign`, ...) and its value.
SITE_TRAFFIC = """
CREATE TABLE IF NOT EXISTS site_traffic (
    date_from        DATE NOT NULL,
    date_to          DATE NOT NULL,
    property         VARCHAR NOT NULL,
    dimension        VARCHAR NOT NULL,   -- the table's dimension column, lower case
    value            VARCHAR NOT NULL,   -- e.g. 'Organic Social', 'facebook / social', a campaign name
    sessions         DOUBLE,
    engaged_sessions DOUBLE,
    users            DOUBLE,
    new_users        DOUBLE,
    conversions      DOUBLE,             -- Conversions, or Key events (GA4's name since 2024)
    revenue          DOUBLE,
    import_id        INTEGER NOT NULL,
    PRIMARY KEY (date_from, date_to, property, dimension, value)
)"""

# Version 8: what each member export (Mailchimp, Substack, beehiiv) said, whatever the merge stored of it: its
# series, platform (`provider`) and snapshot day (`member_exports`), and its own counts per day (`member_days`,
# counts only: nothing personal). Which export of a list is the newest, which platform a list comes from, and
# what an older export counts once the newer one it deferred to is undone, are read from here
# (sources/member_counts.py, warehouse/members.py).
MEMBER_EXPORTS = """
CREATE TABLE IF NOT EXISTS member_exports (
    import_id   INTEGER PRIMARY KEY,
    platform    VARCHAR NOT NULL,    -- the audience rows' platform: email
    account     VARCHAR NOT NULL,
    metric      VARCHAR NOT NULL,    -- subscribers | subscribers_unsubscribed | subscribers_cleaned
    provider    VARCHAR NOT NULL,    -- mailchimp | substack | beehiiv
    exported_on DATE,                -- the snapshot day (--exported-on, else the latest time in the file)
    gains       BOOLEAN NOT NULL,    -- the export dates members' joins
    losses      BOOLEAN NOT NULL     -- the export dates members' leaves
)"""

MEMBER_DAYS = """
CREATE TABLE IF NOT EXISTS member_days (
    import_id INTEGER NOT NULL,
    date      DATE NOT NULL,
    value     DOUBLE,                -- the list's size on the snapshot day (subscribed exports)
    gained    DOUBLE,
    lost      DOUBLE,
    PRIMARY KEY (import_id, date)
)"""

CANONICAL_TABLES = ("messages", "audience", "spend", "account_daily", "video_daily", "imports", "rejects",
                    "site_traffic")
DERIVED_TABLES = ("inbound", "attribution")
V1_DDL = (MESSAGES, AUDIENCE, SPEND, IMPORTS, REJECTS, INBOUND, ATTRIBUTION, META)
ALL_DDL = (*V1_DDL, ACCOUNT_DAILY, VIDEO_DAILY, SITE_TRAFFIC, MEMBER_EXPORTS, MEMBER_DAYS)

# Steps that bring a warehouse of version N-1 to N (tables new in N are created by ALL_DDL).
UPGRADES: dict[int, tuple[str, ...]] = {
    # v1 declared message_id PRIMARY KEY; its index cost a third of a 10M-row import and the merge keeps ids
    # unique, so v2 rebuilds the table without it.
    2: ("ALTER TABLE messages RENAME TO messages_v1",
        MESSAGES,
        "INSERT INTO messages BY NAME SELECT * FROM messages_v1",
        "DROP TABLE messages_v1",
        "ALTER TABLE imports ADD COLUMN IF NOT EXISTS rejects_file VARCHAR",
        "ALTER TABLE rejects ADD COLUMN IF NOT EXISTS source VARCHAR"),
    # v3: `saves` (Instagram, TikTok "Add to Favorites", Sprout) beside likes, comments and shares; the derived
    # owned_messages gains likes/comments/saves/video columns: dropped and rebuilt by the next refresh.
    3: ("ALTER TABLE messages ADD COLUMN IF NOT EXISTS saves DOUBLE",
        "DROP TABLE IF EXISTS owned_messages",
        "DELETE FROM meta WHERE key = 'derived_data_version'"),
    # v4: the site_traffic table (created by ALL_DDL); nothing else changes.
    4: (),
    # v5 (issue 15): email campaigns' deliveries, unique opens and unsubscribes on messages (unique clicks go
    # to `clicks`); Ads Manager spend keeps its account, period end, level, results and paid impressions.
    5: ("ALTER TABLE messages ADD COLUMN IF NOT EXISTS deliveries DOUBLE",
        "ALTER TABLE messages ADD COLUMN IF NOT EXISTS opens DOUBLE",
        "ALTER TABLE messages ADD COLUMN IF NOT EXISTS unsubscribes DOUBLE",
        "ALTER TABLE spend ADD COLUMN IF NOT EXISTS account VARCHAR",
        "ALTER TABLE spend ADD COLUMN IF NOT EXISTS date_to DATE",
        "ALTER TABLE spend ADD COLUMN IF NOT EXISTS level VARCHAR",
        "ALTER TABLE spend ADD COLUMN IF NOT EXISTS results DOUBLE",
        "ALTER TABLE spend ADD COLUMN IF NOT EXISTS result_indicator VARCHAR",
        "ALTER TABLE spend ADD COLUMN IF NOT EXISTS impressions DOUBLE",
        "DROP TABLE IF EXISTS owned_messages",
        "DELETE FROM meta WHERE key = 'derived_data_version'"),
    # v6 (issue 14): the account's daily reach and profile visits (Meta overview Reach/Visits charts, TikTok
    # Reached audience/Profile Views, Sprout/LinkedIn daily reach), kept for the funnel and daily views.
    6: ("ALTER TABLE account_daily ADD COLUMN IF NOT EXISTS reach DOUBLE",
        "ALTER TABLE account_daily ADD COLUMN IF NOT EXISTS profile_visits DOUBLE"),
    # v7: an inbound pair says whether its message addressed the account or is inbound only by the account's
    # reply (rule (b)): as of a day before that reply it was no inbound message (metrics.asof). The derived
    # tables are rebuilt by the next refresh.
    7: ("ALTER TABLE inbound ADD COLUMN IF NOT EXISTS addressed BOOLEAN",
        "DELETE FROM meta WHERE key = 'derived_data_version'"),
    # v8: the member exports' record (created by ALL_DDL); imports made before it are recorded from their raw
    # copies right after the upgrade (migrate._record_members); one whose copy does not read is read as before
    # (the latest stored day with gains or losses stands for the newest export's day).
    8: (),
}
