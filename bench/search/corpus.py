"""Synthetic disclosure reports built from the seed texts, for search benchmarks.

Each synthetic report is a title (portal + year + one of the real title patterns) followed
by 8–14 paragraphs drawn at random from the five seed reports (only lines with real
Chinese prose or table rows: the seeds' tag junk is left out), with their numbers
re-drawn and their place names replaced by the synthetic portal's name, so that no two
reports are identical and the posting lists look like a real archive's: section words
(总体情况, 政府信息公开, 行政复议) in nearly every report, place names and numbers rare.

Reports are about 2,500 characters, a sixth of a real report: the benchmark is about
latency of the query path, and 100,000 full-length reports would need several GB and tens
of minutes to build on a shared 2-core machine. ``--chars`` scales them.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
if not SEEDS_DIR.is_dir():  # the repo checked out elsewhere: the workplace's copy
    SEEDS_DIR = Path("/work/shared/seeds")

GENERATOR_VERSION = "1"

_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d+")
_PLACES = re.compile(r"襄阳市|铁岭市|衢州市|随州市|嘉禾县|襄阳|铁岭|衢州|随州|嘉禾")

# syllables for synthetic place names (two characters + 市/县/区)
_SYLL = "安宁平阳东西南北山河江湖长清新兴华丰泰和永昌吉庆宝德建临武定龙凤"
_SUFFIX = ["市", "县", "区", "市", "县"]
_DEPTS = ["", "", "", "", "发展和改革委员会", "教育局", "财政局", "自然资源和规划局",
          "生态环境局", "住房和城乡建设局", "交通运输局", "卫生健康委员会", "市场监督管理局"]
_PROVINCES = ["湖北省", "辽宁省", "浙江省", "湖南省", "江苏省", "江西省", "广东省", "四川省"]
_TITLES = [
    "{p}{y}年政府信息公开工作年度报告",
    "{p}{y}年政府信息公开年度报告",
    "{p}{y}年度政府信息公开工作年度报告",
    "政府信息公开年报（{y}年）",
]


def seed_paragraphs() -> list[str]:
    paras = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(_CJK.findall(line)) >= 12 and "<" not in line:
                paras.append(line)
    if not paras:
        raise SystemExit(f"no seed texts under {SEEDS_DIR}")
    return paras


class Generator:
    def __init__(self, seed: int = 2019, chars: int = 2500):
        self.rng = random.Random(seed)
        self.paras = seed_paragraphs()
        self.chars = chars

    def _place(self) -> str:
        r = self.rng
        return r.choice(_SYLL) + r.choice(_SYLL) + r.choice(_SUFFIX)

    def _vary(self, para: str, place: str) -> str:
        r = self.rng
        para = _PLACES.sub(place, para)
        return _DIGITS.sub(lambda m: str(r.randint(0, 10 ** min(len(m.group()), 4))), para)

    def report(self, n: int) -> dict:
        r = self.rng
        place = self._place()
        portal = place + r.choice(_DEPTS)
        year = r.randint(2008, 2023)
        title = r.choice(_TITLES).format(p=portal, y=year)
        lines = [title]
        size = len(title)
        while size < self.chars:
            para = self._vary(r.choice(self.paras), place)
            lines.append(para)
            size += len(para)
        month = r.randint(1, 12) if year < 2023 else 1
        return {
            "page_url": f"http://www.bench{n % 3000}.gov.cn/xxgk/{year}/t{n:08d}.html",
            "url": f"http://www.bench{n % 3000}.gov.cn/xxgk/{year}/t{n:08d}.html",
            "portal": portal,
            "province": r.choice(_PROVINCES),
            "level": "county" if place.endswith(("县", "区")) else "city",
            "title": title,
            "year": year,
            "published": f"{year + 1}-{month:02d}-{r.randint(1, 28):02d}",
            "text": "\n".join(lines),
            "content_type": "html",
            "payload_digest": f"sha1:bench{n}",
            "warc_filename": f"nianbao-bench-{n // 10000:05d}.warc.gz",
            "warc_offset": n * 4096,
            "fetched_at": "2024-01-01T00:00:00Z",
        }
