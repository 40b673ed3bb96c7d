"""`bluesky-car`: a Bluesky repository export (`.car`, from the app's "Export my data" or `goat repo export`).

The CAR is decoded with libipld (blocks of DAG-CBOR, no hand-written parser). Its root is the repository's
signed commit (`did`, `data`); `data` is the root of the Merkle Search Tree whose nodes (`l`: the left subtree;
`e`: entries with `p` the length of the key prefix shared with the previous entry of the node, `k` the rest of
the key, `v` the record, `t` the subtree after it) map each record key `<collection>/<record key>` to a record.

`app.bsky.feed.post` -> an owned message on `bluesky` (kind `reply` with `reply.parent`, `video` with a video
embed, else `post`); `app.bsky.feed.repost` -> an owned message of kind `share`. The message id is the record's
AT URI built from its key, `bluesky:at://<did>/<collection>/<record key>` (the form `reply.parent.uri` names a
parent by, so replies link to their parents); text, `createdAt` (UTC, second precision); the repository holds
no like or repost counts, so the figures stay null. Account = `--account` (a handle), else the repo's DID.
Other records (likes, follows, the profile) are not messages and are not read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strategyfirst.sources.base import LoadContext, Loaded, Source, owned_sql, reasons, sql_str, stage_split
from strategyfirst.sources.textfile import SourceFile

if TYPE_CHECKING:
    import duckdb

POST, REPOST = "app.bsky.feed.post", "app.bsky.feed.repost"
MAX_BYTES = 2 << 30  # a repository export of an account, even a busy one, is far below this
AGAIN = "export the repository again (Settings > Account > Export my data) (this file was not imported)"
WEB = r"^at://([^/]+)/app\.bsky\.feed\.post/([^/]+)$"


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    if "car:v2" in sf.header:
        raise sf.error(f"is a CARv2 file; a Bluesky repository export is CARv1: {AGAIN}", 1, 1)
    if sf.size > MAX_BYTES:
        raise sf.error("is larger than the 2 GB a repository export is read up to: check that it is the export "
                       "of one account", 1, 1)
    import libipld

    try:
        header, blocks = libipld.decode_car(sf.path.read_bytes())
    except (ValueError, RecursionError, TypeError) as exc:
        why = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise sf.error(f"cannot be read as a CAR repository export, it is cut short or damaged ({why}); "
                       f"{AGAIN}", 1, 1) from None
    did, root = _commit(sf, header, blocks)
    keys = _walk(sf, blocks, root)
    wanted = [(key, cid) for key, cid in keys if key.startswith((POST + "/", REPOST + "/"))]
    rows = [_row(key, blocks.get(cid), i + 1) for i, (key, cid) in enumerate(wanted)]
    columns = ("rkey", "collection", "text", "created", "parent", "subject", "video", "missing", "ord")
    con.execute("CREATE OR REPLACE TEMP TABLE bs_records AS SELECT " + ", ".join(
        f"unnest(?::{'BIGINT' if c == 'ord' else 'BOOLEAN' if c in ('video', 'missing') else 'VARCHAR'}[]) AS {c}"
        for c in columns), [[r[i] for r in rows] for i in range(len(columns))])
    account = f"coalesce({sql_str(ctx.account)}, {sql_str(did)})"
    published = "TRY_CAST(created AS TIMESTAMPTZ)"
    uri = f"'at://' || {sql_str(did)} || '/' || collection || '/' || rkey"
    reject = reasons(
        ("missing", "the record's block is not in the file (an incomplete export)"),
        (f"{published} IS NULL", "createdAt is not a time like 2024-05-01T10:20:30.000Z"),
        ("collection = 'app.bsky.feed.post' AND parent IS NOT NULL AND NOT starts_with(parent, 'at://')",
         "reply.parent.uri is not an at:// URI"),
    )
    stage_split(con, "messages", f"""
        SELECT 'bluesky:' || {uri} AS message_id, 'bluesky' AS platform, {account} AS account,
               {owned_sql(ctx, 'bluesky', account, 'TRUE')} AS owned,
               timezone('UTC', {published}) AS created_at, 'second' AS time_precision,
               CASE WHEN collection = '{REPOST}' THEN 'share' WHEN parent IS NOT NULL THEN 'reply'
                    WHEN video THEN 'video' ELSE 'post' END AS kind,
               CASE WHEN collection = '{POST}' THEN text END AS text,
               CASE WHEN collection = '{POST}' AND parent IS NOT NULL THEN 'bluesky:' || parent END AS in_reply_to,
               regexp_replace(CASE WHEN collection = '{POST}' THEN {uri} ELSE subject END, '{WEB}',
                              'https://bsky.app/profile/\\1/post/\\2') AS url,
               NULL AS campaign, ord AS line, {reject} AS _reject,
               CASE WHEN {reject} IS NOT NULL THEN collection || '/' || rkey END AS _raw
        FROM bs_records""")
    con.execute("DROP TABLE bs_records")
    return Loaded(primary="messages")


def _commit(sf: SourceFile, header: dict[str, Any], blocks: dict[bytes, Any]) -> tuple[str, bytes]:
    """The repository's DID and the root of its record tree, from the commit the CAR's root names."""
    roots = header.get("roots") if isinstance(header, dict) else None
    commit = blocks.get(roots[0]) if isinstance(roots, list) and roots and isinstance(roots[0], bytes) else None
    if not isinstance(commit, dict) or not isinstance(commit.get("did"), str) \
            or not isinstance(commit.get("data"), bytes):
        raise sf.error("is a CAR file but not a Bluesky repository export (its root is no repository commit "
                       f"with a DID and a record tree); {AGAIN}", 1, 1)
    return commit["did"], commit["data"]


def _walk(sf: SourceFile, blocks: dict[bytes, Any], root: bytes) -> list[tuple[str, bytes]]:
    """Every (record key, record CID) of the Merkle Search Tree under `root`, node by node (each node's keys
    are prefix-compressed against the previous entry of the same node)."""
    out: list[tuple[str, bytes]] = []
    todo, seen = [root], set()
    while todo:
        cid = todo.pop()
        if cid in seen:
            continue
        seen.add(cid)
        node = blocks.get(cid)
        if not isinstance(node, dict) or not isinstance(node.get("e"), list):
            raise sf.error(f"the repository's record tree is incomplete or damaged (a tree node is missing); {AGAIN}",
                           1, 1)
        if isinstance(node.get("l"), bytes):
            todo.append(node["l"])
        key = b""
        for entry in node["e"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("k"), bytes) \
                    or not isinstance(entry.get("p"), int) or not isinstance(entry.get("v"), bytes):
                raise sf.error(f"the repository's record tree holds a damaged entry; {AGAIN}", 1, 1)
            key = key[: entry["p"]] + entry["k"]
            out.append((key.decode("utf-8", errors="replace"), entry["v"]))
            if isinstance(entry.get("t"), bytes):
                todo.append(entry["t"])
    return sorted(out)


def _row(key: str, record: Any, ord_: int) -> tuple[Any, ...]:
    """One record's columns: (rkey, collection, text, created, parent, subject, video, missing, ord)."""
    collection, _, rkey = key.partition("/")
    if not isinstance(record, dict):
        return rkey, collection, None, None, None, None, False, True, ord_
    reply, subject, embed = record.get("reply"), record.get("subject"), record.get("embed")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    media = embed.get("media") if isinstance(embed, dict) else None   # a video with a quote: recordWithMedia
    video = any(isinstance(e, dict) and "video" in str(e.get("$type", "")) for e in (embed, media))
    return (rkey, collection, _text(record.get("text")), _text(record.get("createdAt")),
            _text(parent.get("uri")) if isinstance(parent, dict) else None,
            _text(subject.get("uri")) if isinstance(subject, dict) else None, bool(video), False, ord_)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


SOURCE = Source(
    name="bluesky-car",
    description="Bluesky repository export (.car, Export my data / goat repo export): posts, replies and reposts "
                "of the account, read with libipld",
    detection="a CAR file (a varint-prefixed DAG-CBOR header with roots and version)",
    columns=("app.bsky.feed.post.text", "app.bsky.feed.post.createdAt", "app.bsky.feed.post.reply.parent.uri",
             "app.bsky.feed.repost.subject.uri", "app.bsky.feed.repost.createdAt"),
    required=("car",),
    load=load,
    kind="car",
)
