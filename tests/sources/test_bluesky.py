"""bluesky-car (issue 14): a Bluesky repository export built here as a real CARv1 — DAG-CBOR blocks encoded with
libipld, CID links as CBOR tag 42, a commit and a proper Merkle Search Tree (keys on the layers their SHA-256
gives, prefix-compressed per node) — so the import exercises real decoding and the tree walk. Expected rows are
written out by hand from the records below."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import duckdb
import libipld
import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.plan import loads
from strategyfirst.warehouse.derive import refresh as real_refresh  # the import tests stub derive.refresh
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

DID = "did:plc:vel0c1ubexamp1e0000000"
OTHER = "did:plc:someoneelse000000000000"


class Link:
    """A CID link inside a record (DAG-CBOR tag 42)."""

    def __init__(self, cid: bytes) -> None:
        self.cid = cid


def encode(obj: Any) -> bytes:
    """DAG-CBOR with libipld; links are written as tag 42 over the CID bytes (with the 0x00 multibase prefix)."""
    links: list[bytes] = []

    def swap(o: Any) -> Any:
        if isinstance(o, dict):
            return {k: swap(v) for k, v in o.items()}
        if isinstance(o, list):
            return [swap(v) for v in o]
        if isinstance(o, Link):
            links.append(o.cid)
            return b"\x00" + o.cid
        return o

    raw = libipld.encode_dag_cbor(swap(obj))
    for cid in set(links):  # a 37-byte byte string (0x58 0x25) becomes tag 42 (0xd8 0x2a) around it
        raw = raw.replace(b"\x58\x25\x00" + cid, b"\xd8\x2a\x58\x25\x00" + cid)
    return raw


def cid_of(block: bytes) -> bytes:
    return bytes([0x01, 0x71, 0x12, 0x20]) + hashlib.sha256(block).digest()   # CIDv1, dag-cbor, sha2-256


def varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        if not n:
            return out + bytes([byte])
        out += bytes([byte | 0x80])


def layer(key: bytes) -> int:
    """The MST layer of a key: leading zero bits of its SHA-256 counted in pairs (fanout 4), as atproto does."""
    n = 0
    for byte in hashlib.sha256(key).digest():
        n += (byte < 64) + (byte < 16) + (byte < 4) + (byte == 0)
        if byte:
            break
    return n


class Repo:
    def __init__(self) -> None:
        self.blocks: dict[bytes, bytes] = {}
        self.nodes = 0

    def put(self, obj: Any) -> bytes:
        block = encode(obj)
        cid = cid_of(block)
        self.blocks[cid] = block
        return cid

    def tree(self, items: list[tuple[bytes, bytes]], level: int) -> bytes | None:
        """The MST node at `level` over sorted (key, record CID) items whose layers are <= level."""
        if not items:
            return None
        left: bytes | None = None
        entries: list[dict[str, Any]] = []
        pending: list[tuple[bytes, bytes]] = []
        for key, value in items:
            if layer(key) < level:
                pending.append((key, value))
                continue
            sub = self.tree(pending, level - 1)
            if entries:
                entries[-1]["t"] = sub
            else:
                left = sub
            entries.append({"k": key, "v": value, "t": None})
            pending = []
        sub = self.tree(pending, level - 1)
        if entries:
            entries[-1]["t"] = sub
        else:
            left = sub
        prev = b""
        encoded = []
        for e in entries:
            p = 0
            while p < min(len(prev), len(e["k"])) and prev[p] == e["k"][p]:
                p += 1
            encoded.append({"p": p, "k": e["k"][p:], "v": Link(e["v"]), "t": Link(e["t"]) if e["t"] else None})
            prev = e["k"]
        self.nodes += 1
        return self.put({"l": Link(left) if left else None, "e": encoded})

    def car(self, records: dict[str, dict[str, Any]], did: str = DID) -> bytes:
        items = sorted((key.encode(), self.put(rec)) for key, rec in records.items())
        top = max(layer(k) for k, _ in items)
        root = self.tree(items, top)
        assert root is not None
        commit = self.put({"did": did, "version": 3, "data": Link(root), "rev": "3kabc", "prev": None,
                           "sig": b"\x01" * 64})
        header = encode({"roots": [Link(commit)], "version": 1})
        body = b"".join(varint(len(cid) + len(block)) + cid + block
                        for cid, block in [(commit, self.blocks.pop(commit)), *self.blocks.items()])
        return varint(len(header)) + header + body


def post(text: str, created: str, parent: str | None = None, video: bool = False) -> dict[str, Any]:
    rec: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": created, "langs": ["en"]}
    if parent:
        rec["reply"] = {"root": {"uri": parent, "cid": "bafyreiroot"}, "parent": {"uri": parent, "cid": "bafyreip"}}
    if video:
        rec["embed"] = {"$type": "app.bsky.embed.video", "video": {"$type": "blob", "mimeType": "video/mp4"}}
    return rec


def at(rkey: str, did: str = DID) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


RECORDS: dict[str, dict[str, Any]] = {
    "app.bsky.feed.post/3kaaaaaaaaa2a": post("Spring ride", "2024-05-01T10:20:30.000Z"),
    "app.bsky.feed.post/3kaaaaaaaab2a": post("Route below", "2024-05-01T10:25:00.000Z", parent=at("3kaaaaaaaaa2a")),
    "app.bsky.feed.post/3kaaaaaaaac2a": post("@friend agreed", "2024-05-02T08:00:00+02:00", parent=at("3kzzz", OTHER)),
    "app.bsky.feed.post/3kaaaaaaaad2a": post("Trick", "2024-05-03T18:00:00Z", video=True),
    "app.bsky.feed.post/3kaaaaaaaae2a": post("bad time", "sometime"),
    "app.bsky.feed.repost/3kaaaaaaaaf2a": {"$type": "app.bsky.feed.repost", "createdAt": "2024-05-04T09:00:00.000Z",
                                           "subject": {"uri": at("3kyyy", OTHER), "cid": "bafyreis"}},
    "app.bsky.actor.profile/self": {"$type": "app.bsky.actor.profile", "displayName": "Velo Club"},
    **{f"app.bsky.feed.like/3kbbbbbbbb{i:03d}": {"$type": "app.bsky.feed.like", "createdAt": "2024-05-05T00:00:00Z",
                                                 "subject": {"uri": at(f"3kx{i}", OTHER), "cid": "bafyrei"}}
       for i in range(30)},
    **{f"app.bsky.graph.follow/3kcccccccc{i:03d}": {"$type": "app.bsky.graph.follow", "subject": OTHER,
                                                    "createdAt": "2024-05-05T00:00:00Z"} for i in range(30)},
}


def car_file(path: Path, records: dict[str, dict[str, Any]] | None = None) -> Path:
    repo = Repo()
    path.write_bytes(repo.car(RECORDS if records is None else records))
    assert records is not None or repo.nodes > 3   # the fixture's tree has several levels to walk
    return path


def test_posts_replies_and_reposts_from_a_real_car(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [car_file(tmp_path / "repo.car")]))
    assert f["source"] == "bluesky-car"
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (6, 5, 1)   # 5 posts + 1 repost; likes etc. not
    base = f"bluesky:at://{DID}/app.bsky.feed."
    rows = query(ws, "SELECT message_id, platform, account, owned, created_at, time_precision, kind, text, "
                     "in_reply_to, url, likes, impressions FROM messages ORDER BY message_id")
    web = f"https://bsky.app/profile/{DID}/post/"
    assert rows == [
        (base + "post/3kaaaaaaaaa2a", "bluesky", DID, True, dt.datetime(2024, 5, 1, 10, 20, 30), "second", "post",
         "Spring ride", None, web + "3kaaaaaaaaa2a", None, None),
        (base + "post/3kaaaaaaaab2a", "bluesky", DID, True, dt.datetime(2024, 5, 1, 10, 25), "second", "reply",
         "Route below", base + "post/3kaaaaaaaaa2a", web + "3kaaaaaaaab2a", None, None),
        # +02:00 in the record: 06:00 UTC
        (base + "post/3kaaaaaaaac2a", "bluesky", DID, True, dt.datetime(2024, 5, 2, 6, 0), "second", "reply",
         "@friend agreed", f"bluesky:{at('3kzzz', OTHER)}", web + "3kaaaaaaaac2a", None, None),
        (base + "post/3kaaaaaaaad2a", "bluesky", DID, True, dt.datetime(2024, 5, 3, 18, 0), "second", "video",
         "Trick", None, web + "3kaaaaaaaad2a", None, None),
        (base + "repost/3kaaaaaaaaf2a", "bluesky", DID, True, dt.datetime(2024, 5, 4, 9, 0), "second", "share",
         None, None, f"https://bsky.app/profile/{OTHER}/post/3kyyy", None, None),
    ]
    # the reply to our own post joins its conversation; the reply to someone else's has its parent missing
    assert query(ws, "SELECT message_id, conversation_id, parent_missing FROM messages WHERE kind = 'reply' "
                     "ORDER BY 1") == [
        (base + "post/3kaaaaaaaab2a", base + "post/3kaaaaaaaaa2a", False),
        (base + "post/3kaaaaaaaac2a", base + "post/3kaaaaaaaac2a", True)]
    assert query(ws, "SELECT line, reason, raw FROM rejects") == [
        (5, "createdAt is not a time like 2024-05-01T10:20:30.000Z", "app.bsky.feed.post/3kaaaaaaaae2a")]


def test_account_option_names_the_handle_and_reimport_changes_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    path = car_file(tmp_path / "repo.car")
    one(ingest(ws, [path], account="@velo.bsky.social"))
    assert query(ws, "SELECT DISTINCT account FROM messages") == [("velo.bsky.social",)]
    before = snapshot(ws)
    assert one(ingest(ws, [path], account="@velo.bsky.social"))["status"] == "already imported"
    assert snapshot(ws) == before


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.97])
def test_truncated_car_is_one_line_and_imports_nothing(tmp_path: Path, cut: float) -> None:
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [car_file(tmp_path / "first.car", {"app.bsky.feed.post/3kq": post("x", "2024-01-01T00:00:00Z")})]))
    before = snapshot(ws)
    data = car_file(tmp_path / "full.car").read_bytes()
    path = tmp_path / "repo.car"
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(ImportFileError) as info:
        ingest(ws, [path])
    message = str(info.value)
    assert message.startswith(f"{path}:1:1: ") and "\n" not in message and "export the repository again" in message
    assert snapshot(ws) == before


def test_a_car_that_is_no_repository_is_refused(tmp_path: Path) -> None:
    header = encode({"roots": [Link(cid_of(b"x"))], "version": 1})
    path = tmp_path / "other.car"
    block = encode({"hello": "world"})
    path.write_bytes(varint(len(header)) + header + varint(36 + len(block)) + cid_of(block) + block)
    with pytest.raises(ImportFileError) as info:
        ingest(Workspace(tmp_path / "ws"), [path])
    assert "not a Bluesky repository export" in str(info.value)


PLAN = """
version: 1
accounts: {bluesky: ["DID"], x: ["velo"]}
objectives: [{id: o}]
tactics:
  - {id: sky, serves: [o], match: {platform: [bluesky]}}
  - {id: bird, serves: [o], match: {platform: [x]}}
""".replace("DID", DID)


def test_a_tactic_matching_platform_bluesky_gets_the_bluesky_messages(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [car_file(tmp_path / "repo.car")])
    x = tmp_path / "x.csv"
    x.write_text("message_id,platform,account,created_at,text,impressions,likes\n"
                 "x:1,x,velo,2024-05-01 10:00:00,hello,10,1\n", encoding="utf-8")
    ingest(ws, [x])
    con = duckdb.connect(str(ws.warehouse_path))
    try:
        real_refresh(con, loads(PLAN).plan)
        found = con.execute("SELECT tactic_id, count(*) FROM attribution GROUP BY 1 ORDER BY 1").fetchall()
        by_platform = con.execute("SELECT platform, count(*) FROM owned_messages GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()
    # the 5 imported Bluesky messages (4 posts and replies, 1 repost) under `sky`, the X one under `bird`
    assert found == [("bird", 1), ("sky", 5)]
    assert by_platform == [("bluesky", 5), ("x", 1)]


def test_measure_by_platform_shows_bluesky(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import strategyfirst.warehouse.derive as derive

    monkeypatch.setattr(derive, "refresh", real_refresh)
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir(parents=True)
    (ws.root / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    ingest(ws, [car_file(tmp_path / "repo.car")])
    table = ws.measure(by="platform", metrics=["posts"]).to_pandas()
    rows = {(r["by"], r["key"]): r["value"] for r in table.to_dict("records") if r["metric"] == "posts"}
    # `posts` = owned messages that are not replies: the post, the video and the repost (5 less 2 replies)
    assert rows == {("platform", "bluesky"): 3}
