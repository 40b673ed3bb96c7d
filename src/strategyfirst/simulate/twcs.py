"""Write conversations in the "Customer Support on Twitter" (twcs) CSV format, vectorised with Arrow.

Exactly the Kaggle layout: `tweet_id,author_id,inbound,created_at,text,response_tweet_id,
in_response_to_tweet_id`; customers are anonymised numeric ids, desks their handles; `inbound` is
`True`/`False`; dates like `Wed Oct 11 06:55:44 +0000 2017`; `response_tweet_id` lists every reply
("id1,id2", quoted); CRLF line ends as in the dataset's sample file.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from strategyfirst.simulate import org
from strategyfirst.simulate.conversations import CATALOGUE, Chunk
from strategyfirst.simulate.csvtext import as_str, fixed_width, header, lines
from strategyfirst.simulate.formats import TWCS_COLUMNS

EOL = "\r\n"
_DAYS = 400  # the data window plus replies after it, in days from org.START
_DAY_TABLE = np.array([(org.START + dt.timedelta(days=i)).strftime("%a %b %d ").encode()
                       for i in range(_DAYS)], dtype="S11")
_YEAR_TABLE = np.array([(org.START + dt.timedelta(days=i)).strftime(" +0000 %Y").encode()
                        for i in range(_DAYS)], dtype="S11")
_TOD_TABLE = np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}".encode() for s in range(86400)],
                      dtype="S8")
_HANDLES = pa.array([d.handle for d in org.DESKS])
_AT_HANDLES = pa.array([f"@{d.handle} " for d in org.DESKS])
_OPEN = pa.array(list(CATALOGUE.open), type=pa.string())
_BODY = pa.array(list(CATALOGUE.body), type=pa.string())
_INBOUND = pa.array(["True", "False"])


def twcs_header() -> str:
    return header(TWCS_COLUMNS, style="needed") + EOL


def created_at(t: np.ndarray) -> pa.Array:
    """`Wed Oct 11 06:55:44 +0000 2017` for epoch seconds, built from lookup tables as fixed-width bytes."""
    rel = t - org.START_S
    day, sod = rel // 86400, rel % 86400
    raw = np.empty((len(t), 30), dtype=np.uint8)
    raw[:, :11] = _DAY_TABLE.view(np.uint8).reshape(-1, 11)[day]
    raw[:, 11:19] = _TOD_TABLE.view(np.uint8).reshape(-1, 8)[sod]
    raw[:, 19:] = _YEAR_TABLE.view(np.uint8).reshape(-1, 11)[day]
    return fixed_width(raw.view("S30").ravel(), np.arange(len(t)))


def _responses(parent: np.ndarray, ids: np.ndarray) -> pa.Array:
    """Per row, the ids replying to it joined by commas (quoted when several), '' when none."""
    n = len(ids)
    child = np.flatnonzero(parent >= 0)
    order = np.lexsort((ids[child], parent[child]))
    child = child[order]
    par = parent[child]
    first_of_group = np.r_[0, np.flatnonzero(par[1:] != par[:-1]) + 1]
    rank = np.arange(len(child)) - np.repeat(first_of_group, np.diff(np.r_[first_of_group, len(child)]))
    count = np.bincount(par, minlength=n)

    def ids_at(r: int) -> np.ndarray:
        """The id of each row's r-th reply (-1 where it has fewer)."""
        at = np.full(n, -1, dtype=np.int64)
        sel = rank == r
        at[par[sel]] = ids[child[sel]]
        return at

    out = as_str(ids_at(0))
    for r in range(1, int(rank.max()) + 1 if len(rank) else 1):
        at = ids_at(r)
        out = pc.if_else(pa.array(at >= 0), pc.binary_join_element_wise(out, as_str(at), ","), out)
    out = pc.if_else(pa.array(count > 0), out, "")
    return pc.if_else(pa.array(count > 1), pc.binary_join_element_wise('"', out, '"', ""), out)


def chunk_lines(chunk: Chunk, first_id: int) -> pa.Array:
    """The CSV lines of one chunk; tweet ids run from `first_id` in row order."""
    ids = first_id + np.arange(len(chunk), dtype=np.int64)
    desk = pa.array(chunk.desk)
    brand = pa.array(chunk.brand)
    author = pc.if_else(brand, pc.take(_HANDLES, desk), as_str(chunk.author))
    mention = pc.binary_join_element_wise("@", as_str(chunk.mention), " ", "")
    prefix = pc.if_else(brand, mention,
                        pc.if_else(pa.array(chunk.me_too),
                                   pc.binary_join_element_wise(mention, pc.take(_AT_HANDLES, desk), ""),
                                   pc.take(_AT_HANDLES, desk)))
    tpl = pa.array(chunk.tpl)
    text = pc.binary_join_element_wise(pc.take(_OPEN, tpl), prefix, pc.take(_BODY, tpl), "")
    parent_id = np.where(chunk.parent >= 0, ids[np.maximum(chunk.parent, 0)], -1)
    in_reply = pc.if_else(pa.array(chunk.parent >= 0), as_str(parent_id), "")
    inbound = pc.take(_INBOUND, pa.array(chunk.brand.astype(np.int8)))
    return lines([as_str(ids), author, inbound, created_at(chunk.t), text,
                  _responses(chunk.parent, ids), in_reply], EOL)
