"""Tests of the sample portal farm itself (farm/): what it serves is what its truth says."""
from __future__ import annotations

import csv
import gzip
import http.client
import io
import re
import urllib.parse
from collections import Counter

import pytest
from lxml import html as lhtml

from farm import build_farm
from farm.corpus import SEED_SLUGS, seed_report, seed_reports, variant
from farm.pages import SKINS, labelled_set
from farm.server import FarmServer


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def farm():
    return build_farm("small")


@pytest.fixture(scope="module")
def server(farm):
    with FarmServer(farm) as srv:
        yield srv


# -- a reference reading of the farm's pages (independent of archive/extract/__init__.py) ---------------
BODY_XPATH = {
    "trs": '//div[contains(@class,"TRS_Editor")]',
    "hanweb": '//div[@id="zoom"]',
    "ucap": "//ucapcontent",
    "legacy_gbk": '//td[@class="content"]',
}


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or "display:none" in style or "visibility:hidden" in style


def _grid(table) -> list[list[str]]:
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}
    for tr in table.iter("tr"):
        row: list[str] = []
        col = 0
        cells = [c for c in tr if c.tag in ("td", "th")]

        def fill():
            nonlocal col
            while col in pending:
                text, left = pending[col]
                row.append(text)
                pending.pop(col) if left <= 1 else pending.__setitem__(col, (text, left - 1))
                col += 1
        for c in cells:
            fill()
            text = c.text_content().replace("\xa0", " ").strip()
            cs, rs = int(c.get("colspan", 1)), int(c.get("rowspan", 1))
            for k in range(cs):
                t = text if k == 0 else ""
                row.append(t)
                if rs > 1:
                    pending[col] = (t, rs - 1)
                col += 1
        fill()
        grid.append(row)
    return grid


def _in_table(el, root) -> bool:
    for a in el.iterancestors():
        if a is root:
            return False
        if a.tag == "table":
            return True
    return False


def reference_text(skin: str, body: bytes) -> str:
    """Title + body lines of a farm article page, the way the text contract wants them."""
    doc = lhtml.fromstring(body.decode("gb18030" if skin == "legacy_gbk" else "utf-8"))
    for el in list(doc.iter()):
        if isinstance(el.tag, str) and _hidden(el) and el.getparent() is not None:
            el.getparent().remove(el)
    title = doc.xpath('//meta[@name="ArticleTitle"]/@content') or doc.xpath("//title/text()")
    root = doc.xpath(BODY_XPATH[skin])[0]
    for att in root.xpath('.//div[@class="attachments"]'):
        att.getparent().remove(att)
    lines = [title[0].split("_")[0]]
    for el in root.iter():
        if el.tag == "table":
            lines.extend(" | ".join(r) for r in _grid(el))
        elif el.tag == "p" and not _in_table(el, root):
            lines.append(el.text_content())
    return "\n".join(lines)


# -- corpus ---------------------------------------------------------------------------------------
def test_seed_reports_are_clean():
    junk = ["365体育投注", "您访问的链接即将离开", "浏览器版本太低", "浏览次数", "字体", "分享",
            "喜⒘酥", "!傲郊", "大亚湾再动员", "<em", "索引号"]
    for r in seed_reports():
        text = r.gold_text()
        assert text.splitlines()[0] == r.title
        for j in junk:
            assert j not in text, (r.slug, j)
        # no date or document number lost its 年/月/〔〕 (e.g. "〔201648号", "201711日")
        assert not re.search(r"〔\d{5,}", text), r.slug
        assert not re.search(r"20\d\d\d{1,2}月|20\d\d\d{1,2}\d{1,2}日", text), r.slug
        assert r.year in range(2015, 2021) and r.published[:4] >= str(r.year)
    assert [r.slug for r in seed_reports()] == list(SEED_SLUGS)


def test_tables_resolve_on_a_grid():
    r = seed_report("suizhou-2020")
    tables = r.gold_tables()
    assert [len(t[0]) for t in tables] == [4, 10, 15]
    for t in tables:
        assert len({len(row) for row in t}) == 1
    apply = tables[1]
    # rowspan text repeated, colspan text in its first column
    assert apply[5][:3] == ["三、本年度办理结果", "（一）予以公开", ""]
    assert apply[7][:3] == ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]
    assert apply[0][3:5] == ["申请人情况", ""]
    assert tables[2][-1] == "6 1 1 0 8 6 1 0 0 7 2 1 0 0 3".split()
    annex = seed_report("quzhou-2016").gold_tables()[0]
    assert annex[0] == ["统计指标", "单位", "统计数"] and len(annex) == 66
    assert "3 | 第二十条第（一）项 |  |  | " not in r.gold_text()
    assert "第二十条第（一）项 |  |  | " in r.gold_text()


def test_variant_changes_body_and_year_consistently():
    base = seed_report("quzhou-2016")
    v = variant(base, government="江山市", year=2018)
    assert v.title == "江山市人民政府2018年政府信息公开工作年度报告"
    assert v.year == 2018 and v.published.startswith("2019")
    text = v.gold_text()
    assert "衢州" not in text and "江山市人民政府2018年政府信息公开工作年度报告" in text
    assert "〔2018〕48号" in text and "（2018年度）" in text
    assert variant(base, government="江山市", year=2018) == v


# -- pages -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("skin", SKINS)
def test_rendered_pages_hold_exactly_the_gold_text(skin):
    n = 0
    for sk, report, body, _ctype in labelled_set():
        if sk != skin:
            continue
        n += 1
        assert squash(reference_text(skin, body)) == squash(report.gold_text()), report.slug
        page = body.decode("gb18030" if skin == "legacy_gbk" else "utf-8")
        # the furniture is there for an extractor to strip
        for furniture in ("打印本页", "365体育投注", "您的浏览器版本太低！", "相关新闻", "主办："):
            assert furniture in page, (skin, furniture)
        assert report.index_no in page and report.publisher in page and report.published in page
    assert n == 7


def test_word_paste_splits_dates_into_runs():
    body = next(b for s, r, b, _ in labelled_set() if s == "trs" and r.slug == "quzhou-2016").decode()
    # 〔2016〕48号 is never one text node: digits and brackets sit in their own spans
    assert "〔2016〕48号" not in body
    assert re.search(r">〔</span><span[^>]*>2016</span><span[^>]*>〕</span>", body)


# -- truth against what is served --------------------------------------------------------------------
def _read_docx(data: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(data))
    lines = []
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            t = next(t for t in d.tables if t._tbl is child)
            for row in t.rows:
                lines.append(" | ".join(c.text for c in row.cells))
    return "\n".join(lines)


def test_truth_is_what_the_farm_serves(farm):
    assert len(farm.truth) == 13
    assert {t.content_type for t in farm.truth} == {"html", "pdf", "docx"}
    assert len({t.page_url for t in farm.truth}) == len(farm.truth)
    skins = {"www.xiangyang.gov.cn": "trs", "www.tieling.gov.cn": "trs", "www.suizhou.gov.cn": "trs",
             "www.qz.gov.cn": "hanweb", "www.jiahe.gov.cn": "legacy_gbk"}
    for t in farm.truth:
        status, headers, body = farm.request("GET", t.url)
        assert status == 200, t.url
        if t.content_type == "html":
            skin = skins[urllib.parse.urlsplit(t.url).hostname]
            assert squash(reference_text(skin, body)) == squash(t.text), t.url
            page = body.decode("gb18030" if skin == "legacy_gbk" else "utf-8")
            assert t.index_no in page and t.publisher in page and t.published in page
        elif t.content_type == "pdf":
            from pdfminer.high_level import extract_text

            assert body.startswith(b"%PDF-") and dict(headers)["Content-Type"] == "application/pdf"
            assert squash(extract_text(io.BytesIO(body))) == squash(t.text)
        elif t.content_type == "docx":
            assert squash(_read_docx(body)) == squash(t.text)
            # the report page links the file
            _, _, page = farm.request("GET", t.page_url)
            assert urllib.parse.urlsplit(t.url).path in page.decode("gb18030")
        assert t.text.splitlines()[0] == t.title
        assert str(t.year) in t.title


def _links(base: str, body: bytes, enc: str = "utf-8") -> set[str]:
    doc = lhtml.fromstring(body.decode(enc))
    return {urllib.parse.urljoin(base, h) for h in doc.xpath("//a/@href")}


def test_every_report_is_reachable_from_a_list(farm):
    """Walk the list pages the way each platform pages them and find every truth page_url."""
    found: set[str] = set()
    # TRS: index.html, index_N.html named only by the JS pager
    for host, col, ext in [("www.xiangyang.gov.cn", "/zwgk/xxgknb/", "html"),
                           ("www.tieling.gov.cn", "/zwgk/zfxxgknb/", "html"),
                           ("www.suizhou.gov.cn", "/xxgk/xxgknb/", "shtml")]:
        base = f"http://{host}{col}"
        _, _, first = farm.request("GET", base)
        text = first.decode()
        m = re.search(r'createPageHTML\((\d+),\s*0', text) or re.search(r"var countPage = (\d+)", text)
        count = int(m.group(1))
        assert count >= 2
        assert f'href="index_1.{ext}"' not in text  # the pager exists only in JavaScript
        for n in range(count):
            url = base + ("index" if n == 0 else f"index_{n}") + f".{ext}"
            status, _, body = farm.request("GET", url)
            assert status == 200
            found |= _links(url, body)
        assert farm.request("GET", base + f"index_{count}.{ext}")[0] == 404
    # Hanweb: embedded first page + POST dataproxy
    col = "http://www.qz.gov.cn/col/col1525487/index.html"
    _, _, page = farm.request("GET", col)
    found |= _hanweb_all(farm, col, page.decode())
    # legacy: plain 下一页 links, GBK
    url = "http://www.jiahe.gov.cn/xxgk/list.asp?classid=12"
    while url:
        _, _, body = farm.request("GET", url)
        found |= _links(url, body, "gb18030")
        nxt = lhtml.fromstring(body.decode("gb18030")).xpath('//a[text()="下一页"]/@href')
        url = urllib.parse.urljoin(url, nxt[0]) if nxt else None
    missing = {t.page_url for t in farm.truth} - found
    assert not missing


def _hanweb_form(page: str) -> dict[str, str]:
    m = re.search(r"ajaxParam: \{(.*?)\}", page, re.S)
    form = {}
    for k, v in re.findall(r"(\w+): ([^,\n]+)", m.group(1)):
        form[k] = v.strip().strip("'")
    return form


def _hanweb_all(farm, col_url: str, page: str) -> set[str]:
    embedded = re.findall(r'<record><!\[CDATA\[\s*<li><a href="([^"]+)"', page)
    total = int(re.search(r"var totalRecord = (\d+)", page).group(1))
    per = int(re.search(r"var perPage = (\d+)", page).group(1))
    assert len(embedded) == per < total
    form = urllib.parse.urlencode(_hanweb_form(page)).encode()
    hrefs = list(embedded)
    for start in range(per + 1, total + 1, per):
        status, headers, body = farm.request(
            "POST", f"http://www.qz.gov.cn/module/web/jpage/dataproxy.jsp?startrecord={start}"
                    f"&endrecord={start + per - 1}&perpage={per}",
            [("Content-Type", "application/x-www-form-urlencoded")], form)
        assert status == 200
        xml = body.decode()
        assert f"<totalrecord>{total}</totalrecord>" in xml
        hrefs += re.findall(r'<li><a href="([^"]+)"', xml)
    assert len(hrefs) == len(set(hrefs)) == total
    return {urllib.parse.urljoin(col_url, h) for h in hrefs}


def test_hanweb_pager_needs_the_form_and_post(farm):
    col = "http://www.qz.gov.cn/col/col1525487/index.html"
    page = farm.request("GET", col)[2].decode()
    form = _hanweb_form(page)
    assert form["columnid"] == "1525487" and form["unitid"] == "4519" and form["webname"] == "衢州市人民政府"
    target = "http://www.qz.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15"
    ok = farm.request("POST", target, [], urllib.parse.urlencode(form).encode())[2].decode()
    assert ok.count("<record>") == farm.request("GET", col)[2].decode().count("totalRecord") * 0 + (
        int(re.search(r"<totalrecord>(\d+)", ok).group(1)) - 15)
    bad = dict(form, columnid="1")
    assert "<record>" not in farm.request("POST", target, [], urllib.parse.urlencode(bad).encode())[2].decode()
    assert farm.request("GET", target)[0] == 405
    # reports hide behind the POST: at least one truth report is not on the first page
    truth_paths = {urllib.parse.urlsplit(t.page_url).path for t in farm.truth_for("衢州市")}
    assert truth_paths & set(re.findall(r'href="([^"]+)"', ok))


def test_legacy_pages_are_gbk(farm):
    status, headers, body = farm.request("GET", "http://www.jiahe.gov.cn/xxgk/list.asp?classid=12")
    assert status == 200 and dict(headers)["Content-Type"] == "text/html"
    assert b"charset=gb2312" in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gbk")  # © is only in GB18030: decode real pages as gb18030
    assert "政府信息公开年报" in body.decode("gb18030")


def test_portals_csv(farm, tmp_path):
    path = tmp_path / "portals.csv"
    farm.write_portals_csv(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["name"] for r in rows] == ["襄阳市", "铁岭市", "随州市", "衢州市", "嘉禾县"]
    assert rows[0] == {"name": "襄阳市", "url": "http://www.xiangyang.gov.cn/", "province": "湖北省", "level": "city"}
    for r in rows:
        assert urllib.parse.urlsplit(r["url"]).hostname in farm.sites
        assert farm.request("GET", r["url"])[0] == 200
        assert farm.request("GET", r["url"] + "robots.txt")[2].startswith(b"User-agent")


def test_farm_is_deterministic(farm):
    other = build_farm("small")
    assert [t for t in other.truth] == [t for t in farm.truth]
    for host, site in farm.sites.items():
        assert {p: r.data() for p, r in site.resources.items()} == \
               {p: r.data() for p, r in other.sites[host].resources.items()}


# -- the server ------------------------------------------------------------------------------------------
def _read_chunked_raw(resp) -> bytes:
    return resp.read()


def test_server_proxy_form_origin_form_and_keepalive(server, farm):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    # proxy form: absolute URI on the request line (what Scrapy sends through http_proxy)
    conn.request("GET", "http://www.xiangyang.gov.cn/robots.txt")
    r1 = conn.getresponse()
    assert r1.status == 200 and r1.read().startswith(b"User-agent")
    sock = conn.sock
    # origin form on the same connection, routed by Host
    conn.request("GET", "/zwgk/xxgknb/index.html", headers={"Host": "www.xiangyang.gov.cn"})
    r2 = conn.getresponse()
    assert r2.status == 200 and "政府信息公开年报" in r2.read().decode()
    assert conn.sock is sock  # keep-alive
    conn.request("GET", "http://no-such-host.gov.cn/")
    r3 = conn.getresponse()
    assert r3.status == 502
    r3.read()
    conn.close()
    urls = [s.url for s in server.sent[-3:]]
    assert urls == ["http://www.xiangyang.gov.cn/robots.txt", "http://www.xiangyang.gov.cn/zwgk/xxgknb/index.html",
                    "http://no-such-host.gov.cn/"]
    assert [s.proxy_form for s in server.sent[-3:]] == [True, False, True]


def test_server_gzip_and_chunked_are_recorded_byte_exact(server, farm):
    t = farm.truth_for("襄阳市")[0]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", t.page_url, headers={"Accept-Encoding": "gzip, deflate"})
    r = conn.getresponse()
    raw = r.read()
    assert r.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(raw).decode().count(t.title) >= 1
    sent = server.sent_for(t.page_url)[-1]
    assert sent.body == raw and not sent.chunked
    # without Accept-Encoding the same page comes plain
    conn.request("GET", t.page_url)
    r = conn.getresponse()
    assert r.getheader("Content-Encoding") is None and r.read() == gzip.decompress(raw)
    # Hanweb column pages are chunked
    col = "http://www.qz.gov.cn/col/col1525487/index.html"
    conn.request("GET", col)
    r = conn.getresponse()
    assert r.getheader("Transfer-Encoding") == "chunked" and r.getheader("Content-Length") is None
    body = r.read()  # http.client removes the chunk framing
    sent = server.sent_for(col)[-1]
    assert sent.chunked and sent.body == body == farm.request("GET", col)[2]
    # POST through the proxy
    page = body.decode()
    form = urllib.parse.urlencode(_hanweb_form(page))
    conn.request("POST", "http://www.qz.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15",
                 body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    assert r.status == 200 and b"<record>" in r.read()
    conn.close()


def test_server_answers_a_burst_of_parallel_connections(server, farm):
    import concurrent.futures

    def get(url):
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        c.request("GET", url)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, len(data)

    urls = [t.url for t in farm.truth] * 3
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = list(ex.map(get, urls))
    assert all(s == 200 and n > 1000 for s, n in results)


# -- stage 2: every platform kind ------------------------------------------------------------------
import json
import shutil
import subprocess


@pytest.fixture(scope="module")
def platforms():
    return build_farm("platforms")


def _decode(headers, body: bytes) -> str:
    ctype = dict((k.lower(), v) for k, v in headers).get("content-type", "")
    if b"charset=gb2312" in body[:400] or "gb" in ctype.lower():
        return body.decode("gb18030")
    return body.decode("utf-8", "replace")  # hostile pages lie about their charset


def _skin_of(body: bytes) -> str:
    if b"TRS_Editor" in body:
        return "trs"
    if b"<ucapcontent>" in body:
        return "ucap"
    if b'id="zoom"' in body:
        return "hanweb"
    return "legacy_gbk"


def walk(farm, start: str, limit: int = 600) -> tuple[set[str], set[str]]:
    """A tiny reference crawler that knows each platform's paging: returns (pages, files)."""
    seen, files, queue = set(), set(), [start]
    posts = set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        status, headers, body = farm.request("GET", url)
        hops = 0
        while status in (301, 302) and hops < 3:
            url = urllib.parse.urljoin(url, dict(headers)["Location"])
            seen.add(url)
            status, headers, body = farm.request("GET", url)
            hops += 1
        if status != 200 or not dict(headers).get("Content-Type", "").startswith("text/html"):
            continue
        if len(body) > 5_000_000 or dict(headers).get("Content-Encoding"):
            continue  # size limit; compressed bodies (the gzip bomb) are not inflated here
        text = _decode(headers, body)
        found = set(re.findall(r'href="([^"]+)"', text))
        m = re.search(r'createPageHTML\((\d+),\s*(\d+),\s*"([^"]+)",\s*"(\w+)"\)', text)
        if m:
            n, name, ext = int(m.group(1)), m.group(3), m.group(4)
            found |= {f"{name}_{i}.{ext}" if i else f"{name}.{ext}" for i in range(n)}
        m = re.search(r"var countPage = (\d+)", text)
        if m:
            ext = url.rsplit(".", 1)[-1] if url.rsplit("/", 1)[-1] else "html"
            found |= {f"index_{i}.{ext}" if i else f"index.{ext}" for i in range(int(m.group(1)))}
        if "<datastore>" in text and "ajaxParam" in text:
            form = urllib.parse.urlencode(_hanweb_form(text)).encode()
            total = int(re.search(r"var totalRecord = (\d+)", text).group(1))
            for start_ in range(1, total + 1, 15):
                target = urllib.parse.urljoin(url, f"/module/web/jpage/dataproxy.jsp?startrecord={start_}"
                                                   f"&endrecord={start_ + 14}&perpage=15")
                _, _, xml = farm.request("POST", target, [], form)
                posts.add(target)
                found |= set(re.findall(r'href="([^"]+)"', xml.decode()))
        m = re.search(r'var unitUrl = "([^"]+)"', text)
        if m:
            page_no = 1
            while True:
                api = urllib.parse.urljoin(url, m.group(1) + "&paramJson=" + urllib.parse.quote(
                    json.dumps({"pageNo": page_no, "pageSize": 15})))
                data = json.loads(farm.request("GET", api)[2])
                assert data["success"]
                hrefs = re.findall(r'href="([^"]+)"', data["data"]["html"])
                if not hrefs:
                    break
                found |= set(hrefs)
                page_no += 1
        for h in found:
            h = h.replace("&amp;", "&")
            if h.startswith(("javascript:", "mailto:", "#")) or "jsessionid" in h or "bsrl/" in h:
                continue
            absu = urllib.parse.urljoin(url, h).split("#")[0]
            parts = urllib.parse.urlsplit(absu)
            if parts.scheme != "http" or parts.hostname not in farm.sites:
                continue
            if re.search(r"\.(pdf|docx?|wps|ofd)$", parts.path):
                files.add(absu)
            elif absu not in seen:
                queue.append(absu)
    return seen, files


def _attachment_text(kind: str, body: bytes) -> str:
    if kind == "pdf":
        from pdfminer.high_level import extract_text

        return extract_text(io.BytesIO(body))
    if kind == "docx":
        return _read_docx(body)
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(body)
        f.flush()
        return subprocess.run(["antiword", "-m", "UTF-8.txt", f.name], capture_output=True, check=True).stdout.decode()


def _page_text(farm, url: str) -> str:
    """Reference text of a report page, following TRS continuation pages."""
    _, _, body = farm.request("GET", url)
    skin = _skin_of(body)
    text = reference_text(skin, body)
    m = re.search(rb'createPageHTML\((\d+),(\d+),"([^"]+)","html"\)', body)
    if m and int(m.group(1)) > 1:
        base = url.rsplit("/", 1)[0]
        for k in range(1, int(m.group(1))):
            _, _, more = farm.request("GET", f"{base}/{m.group(3).decode()}_{k}.html")
            text += "\n" + reference_text(skin, more).split("\n", 1)[1]
    return text


def test_every_platform_kind_is_reachable_and_true(platforms):
    farm = platforms
    by_portal: dict[str, list] = {}
    for t in farm.truth:
        by_portal.setdefault(t.portal, []).append(t)
    for p in farm.portals:
        status = farm.status[p.name][0]
        if status != "ok":
            assert p.name not in by_portal
            continue
        pages, files = walk(farm, p.url)
        for t in by_portal[p.name]:
            assert t.page_url in pages or t.page_url in files, (p.name, t.title)
            if t.url != t.page_url:
                assert t.url in files
    have_antiword = shutil.which("antiword") is not None
    for t in farm.truth:
        if t.portal == "石门县":
            continue  # disguised files and scans: their gold texts are checked in test_documents_*.py
        if t.content_type == "html":
            assert squash(_page_text(farm, t.url)) == squash(t.text), t.url
        elif t.content_type in ("doc", "wps") and not have_antiword:
            continue
        else:
            status, headers, body = farm.request("GET", t.url)
            assert status == 200
            got, want = squash(_attachment_text(t.content_type, body)), squash(t.text)
            if t.content_type == "pdf" and " | " in t.text:
                # ruled tables (farm/pdfdoc.py): bare pdfminer reads cells in its own
                # order; the same characters must be there, cell separators and the footer's
                # "- N -" page numbers aside
                got = squash(re.sub(r"(?m)^\s*-\s*\d+\s*-\s*$", "",
                                    _attachment_text(t.content_type, body)))
                assert Counter(got.replace("|", "")) == Counter(want.replace("|", "")), t.url
            else:
                assert got == want, t.url
    kinds = {(t.content_type, t.kind) for t in farm.truth}
    assert {("html", "government"), ("html", "department"), ("html", "township"), ("pdf", "government"),
            ("doc", "government"), ("docx", "government"), ("wps", "government")} <= kinds


def test_blocked_and_dead_portals(platforms):
    farm = platforms
    expect = {"宜章县": 412, "安仁县": 521, "资兴市": 403}
    for p in farm.portals:
        status, reason = farm.status[p.name]
        if p.name in expect:
            assert status == "blocked" and reason
            assert farm.request("GET", p.url)[0] == expect[p.name]
            assert farm.request("GET", p.url + "robots.txt")[0] == expect[p.name]
    url = "http://www.rucheng.gov.cn/"
    status, headers, _ = farm.request("GET", url)
    assert status == 302 and "wzwschallenge=" in dict(headers)["Location"]
    status, _, body = farm.request("GET", urllib.parse.urljoin(url, dict(headers)["Location"]))
    assert status == 200 and b"wzwschallenge" in body and b"<a " not in body
    assert farm.status["桂东县"][0] == "dead"
    assert farm.request("GET", "http://www.guidong.gov.cn/")[0] == 502


def test_jpaas_records_only_in_the_api(platforms):
    farm = platforms
    col = "http://www.longyou.gov.cn/col/col1229456/index.html"
    page = farm.request("GET", col)[2].decode()
    truth = [t for t in farm.truth_for("龙游县") if t.kind == "government"]
    assert not any(urllib.parse.urlsplit(t.page_url).path in page for t in truth)
    unit = re.search(r'var unitUrl = "([^"]+)"', page).group(1)
    raw = farm.request("GET", urllib.parse.urljoin(col, unit + '&paramJson={"pageNo":1,"pageSize":15}'))[2]
    data = json.loads(raw)
    assert data["success"] is True and data["data"]["html"].count("<li>") == 15
    bad = json.loads(farm.request("GET", urllib.parse.urljoin(col, unit.replace("pageId=", "pageId=9")
                                                               + '&paramJson={"pageNo":1}'))[2])
    assert bad["success"] is False


def test_url_variants_and_traps(platforms):
    farm = platforms
    t = next(t for t in farm.truth if t.portal == "宜城市" and t.aliases)
    _, _, page = farm.request("GET", t.page_url)
    for alias in t.aliases:
        if alias.startswith("http://"):
            assert farm.request("GET", alias)[2] == page
    pages, _ = walk(farm, "http://www.yc.gov.cn/")
    assert any(u.endswith("?from=list") for u in pages)          # the same report linked twice
    assert any("xxgknb/index.html" in u for u in pages) and any(u.endswith("xxgknb/") for u in pages)
    # the calendar never ends, session ids never repeat
    url, months = "http://www.yc.gov.cn/bsrl/calendar.jsp?month=2021-01", set()
    for _ in range(30):
        body = farm.request("GET", url)[2].decode()
        months.add(url)
        url = urllib.parse.urljoin(url, re.search(r'href="([^"]+)">下一月', body).group(1))
    assert len(months) == 30
    a = farm.request("GET", "http://www.yc.gov.cn/wsbs/index.jsp;jsessionid=0A1B2C3D4E5F")[2].decode()
    nxt = re.search(r'href="([^"]+)">办事事项0', a).group(1)
    b = farm.request("GET", "http://www.yc.gov.cn" + nxt)[2].decode()
    assert re.search(r'href="([^"]+)">办事事项0', b).group(1) != nxt


def test_multipage_report_is_split(platforms):
    farm = platforms
    split = []
    for t in farm.truth_for("宜城市"):
        body = farm.request("GET", t.url)[2]
        n = int(re.search(rb'createPageHTML\((\d+),0,', body).group(1))
        if n > 1:
            split.append((t, body, n))
    assert len(split) == 1
    t, body, n = split[0]
    first = squash(reference_text("trs", body))
    assert first != squash(t.text) and squash(t.text).startswith(first)
    assert farm.request("GET", t.url.replace(".html", f"_{n - 1}.html"))[0] == 200


def test_city_platform_hosts_its_county(platforms):
    farm = platforms
    home = farm.request("GET", "http://www.zhushan.gov.cn/")[2].decode()
    assert 'href="http://xxgk.shiyan.gov.cn/zsx/"' in home
    county = farm.truth_for("竹山县")
    assert county and all(t.page_url.startswith("http://xxgk.shiyan.gov.cn/zsx/") for t in county)
    city = farm.truth_for("十堰市")
    assert city and all(t.page_url.startswith("http://xxgk.shiyan.gov.cn/xxgknb/") for t in city)


@pytest.mark.slow  # builds the bench and large farms (20,000 pages)
def test_bench_and_large_sizes():
    bench = build_farm("bench", n_portals=24, seed=1)
    assert len(bench.portals) >= 24 and len(bench.truth) >= 150
    assert {s for s, _ in bench.status.values()} == {"ok", "blocked", "dead"}
    assert build_farm("bench", n_portals=24, seed=1).truth == bench.truth
    large = build_farm("large")
    assert len(large.portals) >= 200 and large.page_count() >= 20000


# -- stage 3: faults, hostile content, mutations -------------------------------------------------------
import socket
import zlib

from farm.faults import FaultPlan, gzip_bomb


def _get(port: int, url: str, headers=None, timeout: float = 5):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", url, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def test_fault_plan_is_deterministic_and_recovers():
    plan = FaultPlan(rate=0.3, seed=7)
    urls = [f"http://www.x.gov.cn/p{i}.html" for i in range(400)]
    faulted = plan.faulted(urls)
    assert 80 < len(faulted) < 160 and faulted == FaultPlan(rate=0.3, seed=7).faulted(urls)
    assert set(faulted.values()) == {"500", "502", "503", "timeout", "reset", "truncate"}
    u = next(iter(faulted))
    assert plan.decide("GET", u) == faulted[u] and plan.decide("GET", u) is None
    assert plan.decide("GET", "http://www.x.gov.cn/robots.txt") is None
    assert plan.stats()["targets"] == 1


@pytest.mark.parametrize("kind", ["500", "502", "503", "reset", "truncate", "timeout"])
def test_server_transient_faults_recover_on_retry(kind):
    plan = FaultPlan(rate=1.0, kinds=(kind,), hostile=False, stall=1.5)
    farm = build_farm("small", faults=plan)
    url = farm.truth[0].page_url
    with FarmServer(farm) as srv:
        if kind in ("500", "502", "503"):
            status, headers, _ = _get(srv.port, url)
            assert status == int(kind)
            assert (headers.get("Retry-After") == "1") == (kind == "503")
        elif kind == "reset":
            with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
                _get(srv.port, url)
        elif kind == "truncate":
            with pytest.raises(http.client.IncompleteRead):
                _get(srv.port, url)
        else:
            with pytest.raises((socket.timeout, TimeoutError)):
                _get(srv.port, url, timeout=0.5)
        status, _, body = _get(srv.port, url)  # the retry succeeds
        assert status == 200 and farm.truth[0].title in body.decode()
        assert [e.kind for e in plan.log] == [kind]


def test_hostile_portal(tmp_path):
    plan = FaultPlan(rate=0.0, bomb_mb=64, big_mb=50)
    farm = build_farm("small", faults=plan)
    assert farm.status["黑水县"] == ("ok", "") and len(farm.truth_for("黑水县")) == 2
    h = "http://www.heishui.gov.cn"
    home = farm.request("GET", h + "/")[2].decode()
    for path in ("/hostile/bomb.html", "/hostile/big.html", "/hostile/links.html", "/hostile/loop-a"):
        assert path in home
    status, headers, bomb = farm.request("GET", h + "/hostile/bomb.html")
    assert dict(headers)["Content-Encoding"] == "gzip" and len(bomb) < 200_000
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert len(d.decompress(bomb, 10_000_000)) == 10_000_000   # and far more behind it
    assert len(gzip_bomb(2048)) < 3_000_000
    assert len(farm.request("GET", h + "/hostile/big.html")[2]) >= 50 * 2**20
    s1, hd1, _ = farm.request("GET", h + "/hostile/loop-a")
    s2, hd2, _ = farm.request("GET", urllib.parse.urljoin(h, dict(hd1)["Location"]))
    assert s1 == s2 == 302 and dict(hd2)["Location"] == "/hostile/loop-a"
    assert urllib.parse.urlsplit(dict(farm.request("GET", h + "/hostile/offsite")[1])["Location"]).hostname \
        in farm.forbidden_hosts
    links = farm.request("GET", h + "/hostile/links.html")[2].decode()
    for scheme in ("javascript:", "data:", "file:", "mailto:", "http://192.168.1.1/", "http://[::1]/"):
        assert f'href="{scheme}' in links
    assert "192.168.1.1" in farm.forbidden_hosts and "localhost" in farm.forbidden_hosts
    # report-looking list entries that are gone
    fails = dict(farm.expected_failures)
    for url, why in fails.items():
        if why in ("404", "410"):
            assert farm.request("GET", url)[0] == int(why)
        if why == "soft 404":  # an error page served with 200
            status, _, body = farm.request("GET", url)
            assert status == 200 and "您访问的页面不存在" in body.decode("utf-8")
    pages, _ = walk(farm, h + "/", limit=200)
    assert {u for u, why in fails.items() if why in ("404", "410", "soft 404")} <= pages
    assert {t.page_url for t in farm.truth_for("黑水县")} <= pages
    body = farm.request("GET", h + "/hostile/binary.html")[2]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_conditional_get_and_mutations():
    farm = build_farm("small")
    t = farm.truth_for("襄阳市")[0]
    col_url = "http://www.xiangyang.gov.cn/zwgk/xxgknb/index.html"
    status, headers, body = farm.request("GET", t.page_url)
    h = dict(headers)
    etag, modified = h["ETag"], h["Last-Modified"]
    assert status == 200 and modified.endswith("GMT")
    assert farm.request("GET", t.page_url, [("If-None-Match", etag)])[0] == 304
    assert farm.request("GET", t.page_url, [("If-Modified-Since", modified)])[0] == 304
    list_etag = dict(farm.request("GET", col_url)[1])["ETag"]
    # edit: same URL, new text, new validators
    row = farm.edit_report(t.page_url)
    status, headers, body = farm.request("GET", t.page_url, [("If-None-Match", etag)])
    assert status == 200 and dict(headers)["ETag"] != etag
    assert squash(reference_text("trs", body)) == squash(row.text) != squash(t.text)
    assert farm.request("GET", t.page_url, [("If-Modified-Since", modified)])[0] == 200
    assert next(x for x in farm.truth if x.page_url == t.page_url).text == row.text
    # add: a new report in the list
    n = len(farm.truth)
    new = farm.add_report("襄阳市")
    assert len(farm.truth) == n + 1 and new.year == max(x.year for x in farm.truth_for("襄阳市"))
    assert farm.request("GET", col_url, [("If-None-Match", list_etag)])[0] == 200
    pages, _ = walk(farm, "http://www.xiangyang.gov.cn/")
    assert new.page_url in pages
    assert squash(reference_text("trs", farm.request("GET", new.page_url)[2])) == squash(new.text)
    # remove: 404 and gone from the lists
    gone = farm.remove_report(t.page_url)
    assert farm.request("GET", t.page_url)[0] == 404 and gone in farm.removed
    assert t.page_url not in {x.page_url for x in farm.truth}
    listed = set()
    for n in range(5):
        status, _, body = farm.request("GET", col_url.replace("index.html", f"index_{n}.html" if n else "index.html"))
        if status == 200:
            listed |= _links(col_url, body)
    # gone from the lists (other pages' 相关新闻 may still link it: a crawl then sees the 404)
    assert t.page_url not in listed and new.page_url in listed


def test_mutations_on_post_and_api_columns():
    farm = build_farm("platforms")
    for portal, start in (("江山市", "http://www.jiangshan.gov.cn/"), ("龙游县", "http://www.longyou.gov.cn/"),
                          ("万载县", "http://www.wanzai.gov.cn/")):
        new = farm.add_report(portal)
        old = farm.truth_for(portal)[-2]
        farm.remove_report(old.page_url)
        pages, _ = walk(farm, start)
        assert new.page_url in pages, portal
        assert farm.request("GET", old.page_url)[0] == 404
