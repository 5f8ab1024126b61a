"""Issue 15 points 3-4: hostile documents cost bounded time and memory, and HTML keeps its text.

The inputs are generated (bench/hostile/inputs.py). Each extraction runs in a child process
so that a regression costs the test a timeout or a measured peak RSS, not the test run."""
from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pytest

from bench.hostile import inputs

URL = "http://www.example.gov.cn/2019/report"


def _measured(maker, args, url, env=None):
    """In a child: build the input, extract it; (summary, CPU seconds, peak RSS MB)."""
    import os

    os.environ.update(env or {})
    from archive.extract import extract
    from bench.hostile.run import peak_rss_mb

    body = maker(*args)
    t0 = time.process_time()
    ex = extract(body, url)
    cpu = time.process_time() - t0
    rss = peak_rss_mb()
    return ({"text": ex.text, "metadata": ex.metadata, "content_type": ex.content_type},
            cpu, rss)


def _in_child(maker, *args, url=URL, seconds=60, env=None):
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(1, mp_context=ctx)
    try:
        return pool.submit(_measured, maker, args, url, env).result(timeout=seconds)
    except FutureTimeout:
        for p in list(pool._processes.values()):  # the stuck child: ours, killed by its pid
            p.kill()
        pytest.fail(f"{maker.__name__}{args} not extracted within {seconds} s")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def test_scattered_glyphs_pdf_is_not_grouped_into_boxes():
    # 3,000 scattered letters: 95 s and 1.7 GB in pdfminer's text-box grouping before
    res, cpu, rss = _in_child(inputs.scattered_glyphs_pdf, 3000, url=URL + ".pdf", seconds=30)
    letters = sum(ch.isalpha() for ch in res["text"])
    assert letters == 3000, letters  # every glyph read, none lost by skipping the grouping
    assert rss < 400, rss


def test_flate_bomb_pdf_is_capped():
    res, cpu, rss = _in_child(inputs.flate_bomb_pdf, 1024, url=URL + ".pdf", seconds=60)
    assert "inflates past" in (res["metadata"].get("error") or ""), res["metadata"]
    assert rss < 700, rss  # a 1 GB stream never exists in memory


def test_pdf_pages_are_capped_and_the_cut_said():
    res, cpu, rss = _in_child(inputs.many_pages_pdf, 3000, url=URL + ".pdf", seconds=60,
                              env={"NIANBAO_PDF_MAX_PAGES": "50"})
    assert res["metadata"]["pages"] == 50
    assert "more than 50 pages" in res["metadata"]["error"]
    assert res["text"].count("page") == 50


def test_gzip_bomb_payload_is_capped():
    res, cpu, rss = _in_child(inputs.gzip_bomb, 512, seconds=60)
    assert "gzip bomb" in (res["metadata"].get("error") or ""), res["metadata"]
    assert rss < 300, rss


def test_legacy_unclosed_fonts_keep_every_paragraph():
    from archive.extract import extract

    for n in (400, 3000):
        ex = extract(inputs.deep_font_html(n), URL + ".html")
        kept = [i for i in range(n) if f"第{i}段政府信息公开" in ex.text]
        assert len(kept) == n, (n, len(kept))  # libxml2 kept 125 of 400 before
        assert "inline tags removed" in ex.metadata["repaired"]


def test_nul_byte_does_not_hide_an_html_page():
    from archive.extract import extract

    ex = extract(inputs.nul_html(), URL + ".html")
    assert ex.content_type == "html"
    assert ex.title == "某县2019年政府信息公开工作年度报告"
    assert ex.text.count("本年度共主动公开政府信息1234条") == 20
    assert ex.metadata["nul_bytes_removed"] == 1


def test_binary_with_many_nuls_is_still_other():
    from archive.extract import sniff_type

    assert sniff_type(b"<p>" + b"\x00\x01" * 300, URL) == "other"


def test_gbk_page_with_utf8_paragraphs_decodes_each_run():
    from archive.extract import extract

    body, paragraphs = inputs.mixed_encoding_html()
    ex = extract(body, URL + ".html")
    for p in paragraphs:
        assert p in ex.text, (p, ex.text)
    assert ex.replacement_chars == 0
    assert "UTF-8 run" in ex.metadata["mixed_encoding"]


def test_pure_gbk_page_is_not_split():
    from archive.extract.encoding import decode_html

    text = "<p>" + "中华人民共和国政府信息公开条例，涓枃政府信息公开工作年度报告。" * 50 + "</p>"
    out = decode_html(text.encode("gbk"), "text/html; charset=gbk")
    assert str(out) == text and out.mixed_segments == 0
