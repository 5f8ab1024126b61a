"""html_text's shortcuts give what the element-by-element walk gives.

The renderer reads an element's text in one call when nothing below it is a block, <br>,
<table>, <pre> or <a> (archive.extract.html_text._structured), and a table cell holding one
paragraph as that paragraph's text. These tests render the same markup with the shortcuts
and with every element marked "structured" (the plain walk), on hand-made cases and on
random trees of the shapes Word-pasted reports have.
"""
from __future__ import annotations

import random

import pytest
from lxml import etree

from archive.extract import html_text
from archive.extract.html import parse


def _walked(el):
    """render() with the shortcuts switched off: every element is walked child by child."""
    r = html_text._Renderer(set(el.iter()))
    r.contents(el)
    r.flush()
    return r.lines, r.tables


def _body(markup: str):
    return parse(f"<html><body>{markup}</body></html>").find("body")


CASES = [
    "<p><span>2019</span><span>年</span> <font>行政</font>\n<b>复议</b></p>",
    "<p>a<span>b<!-- c -->d</span>e</p><p>1<span>2</span></p>",
    "<div>申请<span>人</span><br>数<i>量</i></div>",
    "<table><tr><td> <p><span>收到</span><span>申请</span></p> </td><td><p>1</p><p>2</p></td></tr>"
    "<tr><td>\u00a0<p>三</p></td><td><p>4</p>\u200b</td></tr></table>",
    "<table><tr><td><p><a href='x.pdf'>附件.pdf</a></p></td><td><p>五<br>六</p></td></tr>"
    "<tr><td><p>7</p></td><td><div>8</div></td></tr></table>",
    "<p>see <a href='/a.html'>the <span>list</span></a> here</p><ul><li><span>x</span></li></ul>",
    "<pre>  a  b\n c</pre><p>  <span>\u3000\u3000一、</span><span>总体情况</span></p>",
]


@pytest.mark.parametrize("markup", CASES)
def test_shortcuts_render_like_the_walk(markup):
    body = _body(markup)
    assert html_text.render(body) == _walked(body)


def test_a_paragraph_cell_is_its_text_and_two_paragraphs_stay_apart():
    body = _body("<table><tr><td><p><span>12</span><span>34</span></p></td>"
                 "<td><p>12</p><p>34</p></td></tr><tr><td>a</td><td>b</td></tr></table>")
    _, tables = html_text.render(body)
    assert tables == [[["1234", "12 34"], ["a", "b"]]]


_INLINE = ["span", "font", "b", "i", "a", "u"]
_BLOCKS = ["p", "div", "li", "td", "br", "table"]
_TEXTS = ["", " ", "\n", "\u00a0", "\u3000", "年", "行政复议", "2019", "ab", " 12 ", "\u200b", "一、"]


def _random_markup(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        parts.append(rng.choice(_TEXTS))
        if depth < 4 and rng.random() < 0.7:
            tag = rng.choice(_INLINE if rng.random() < 0.7 else _BLOCKS)
            if tag == "br":
                parts.append("<br>")
            elif tag == "table":
                cells = "".join(f"<td>{_random_markup(rng, depth + 2)}</td>" for _ in range(2))
                parts.append(f"<table><tr>{cells}</tr><tr>{cells}</tr></table>")
            else:
                attrs = " href='/x.html'" if tag == "a" else ""
                parts.append(f"<{tag}{attrs}>{_random_markup(rng, depth + 1)}</{tag}>")
    return "".join(parts)


def test_shortcuts_render_like_the_walk_on_random_trees():
    rng = random.Random(20261122)
    for _ in range(400):
        body = _body(_random_markup(rng))
        assert html_text.render(body) == _walked(body), etree.tostring(body, encoding="unicode")


def test_quotes_and_dashes_keep_their_spaces_in_latin_text():
    """Curly quotes, dashes and the ellipsis are wide in Chinese text and narrow in English:
    a space beside one goes only when a CJK character (or another of them) is across it
    (dragnet R155: 'define “Switch Off”, “Switch On” days' lost every space)."""
    from archive.extract.html_text import normalise_inline

    assert normalise_inline("define “Switch Off”, “Switch On” days") == "define “Switch Off”, “Switch On” days"
    assert normalise_inline("word — word … end") == "word — word … end"
    assert normalise_inline("公开 “条例” 规定") == "公开“条例”规定"
    assert normalise_inline("“ 放管服 ” 改革") == "“放管服”改革"
    assert normalise_inline("” “") == "”“"
