"""`python -m archive pack DIR -o out.wacz`: a WACZ (https://specs.webrecorder.net/wacz/1.1.1/)
that ReplayWeb.page and pywb open.

The layout and the index are the `wacz` package's own (py-wacz's `WACZIndexer`: a ZipNum
compressed CDXJ `indexes/index.cdx.gz` + `indexes/index.idx`, `datapackage.json` with a
sha256 per resource, `datapackage-digest.json`). What we do differently from `wacz create`:

* our JSON `metadata` records are left out of the index (they share the page's URL; a replay
  tool must not serve them in place of the page) — see archive/warc/cdxj.py;
* `pages/pages.jsonl` lists what a reader wants to open: the portals' home pages and every
  report page and report attachment, titled with the link text that led to it, taken from
  the crawl context stored beside each capture (py-wacz would guess pages from HTML only).

The WACZ is written to `<output>.tmp` and renamed when complete.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from argparse import Namespace
from dataclasses import dataclass
from io import TextIOWrapper

from archive.warc import ArchiveError, iter_exchanges, warc_files
from archive.warc.cdxj import INDEXED_RECORDS

PAGE_KINDS = ("home", "report", "attachment")


@dataclass
class PackResult:
    output: str
    warcs: int
    pages: int
    bytes: int


def page_entries(paths, on_error=None) -> list[dict]:
    """pages.jsonl entries from the crawl context: first 2xx capture of each URL of kind
    home/report/attachment."""
    pages: dict[str, dict] = {}
    for ex in iter_exchanges(paths, on_error=on_error):
        ctx = ex.context or {}
        if ex.record_type != "response" or not (200 <= ex.status < 300) or ctx.get("kind") not in PAGE_KINDS:
            continue
        if ex.url in pages:
            continue
        title = ctx.get("anchor") or ctx.get("page_title") or ""
        if ctx.get("kind") == "home":
            title = ctx.get("portal") or title
        entry = {"url": ex.url, "ts": ex.fetched_at, "title": title or ex.url}
        pages[ex.url] = entry
    return list(pages.values())


def pack(paths_or_dir, output: str, title: str | None = None, description: str | None = None, on_error=None) -> PackResult:
    from wacz.util import now
    from wacz.waczindexer import WACZIndexer

    warcs = warc_files(paths_or_dir)
    if not warcs:
        raise ArchiveError(f"no WARC files in {paths_or_dir}")
    unreadable: list[tuple[str, str]] = []

    def noted(path, offset, msg):
        if offset == 0:  # not even a first record: not a WARC (wacz's indexer would die on it)
            unreadable.append((path, msg))
        if on_error:
            on_error(path, offset, msg)

    pages = page_entries(warcs, noted)
    if unreadable:
        path, msg = unreadable[0]
        raise ArchiveError(f"{path}: not a WARC file ({msg}); move it out of the way and pack again")
    if os.path.isdir(output):
        raise ArchiveError(f"-o {output} is a directory; give a file name such as {os.path.join(output, 'nianbao.wacz')}")
    tmp = output + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(output)) or ".", exist_ok=True)
    try:
        with zipfile.ZipFile(tmp, "w") as z:
            index_buff = io.BytesIO()
            text_wrap = TextIOWrapper(index_buff, "utf-8", write_through=True)
            data_file = zipfile.ZipInfo("indexes/index.cdx.gz", now())
            with z.open(data_file, "w") as data:
                indexer = WACZIndexer(
                    text_wrap,
                    warcs,
                    sort=True,
                    post_append=True,
                    compress=data,
                    lines=WACZIndexer.DEFAULT_NUM_LINES,
                    digest_records=True,
                    fields="referrer,req.http:cookie",
                    data_out_name="index.cdx.gz",
                    records=INDEXED_RECORDS + ",warcinfo",
                    hash_type="sha256",
                    main_url=None,  # "" would become mainPageURL "/"
                    main_ts=None,
                    detect_pages=False,
                    passed_pages_dict={},
                    extract_text=False,
                )
                indexer.process_all()
            index_buff.seek(0)
            idx = zipfile.ZipInfo("indexes/index.idx", now())
            idx.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(idx, index_buff.getvalue())

            for path in warcs:
                # WARCs are gzip already: stored, not deflated again (and so seekable in the zip).
                info = zipfile.ZipInfo.from_file(path, "archive/" + os.path.basename(path))
                info.compress_type = zipfile.ZIP_STORED
                with z.open(info, "w") as out, open(path, "rb") as src:
                    while True:
                        chunk = src.read(1 << 20)
                        if not chunk:
                            break
                        out.write(chunk)

            header = {"format": "json-pages-1.0", "id": "pages", "title": title or "nianbao: reports"}
            pinfo = zipfile.ZipInfo("pages/pages.jsonl", now())
            pinfo.compress_type = zipfile.ZIP_DEFLATED
            lines = [json.dumps(header, ensure_ascii=False)]
            for i, p in enumerate(pages):
                lines.append(json.dumps(dict(p, id=f"p{i:06d}"), ensure_ascii=False))
            z.writestr(pinfo, ("\n".join(lines) + "\n").encode("utf-8"))

            res = Namespace(desc=description or "nianbao: Chinese government information-disclosure annual reports",
                            title=title or "nianbao", date=None)
            datapackage = indexer.generate_datapackage(res, z).encode("utf-8")
            dp = zipfile.ZipInfo("datapackage.json", now())
            dp.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(dp, datapackage)
            dd = zipfile.ZipInfo("datapackage-digest.json", now())
            dd.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(dd, indexer.generate_datapackage_digest(datapackage))
        os.replace(tmp, output)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return PackResult(output, len(warcs), len(pages), os.path.getsize(output))
