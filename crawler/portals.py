"""The portal list: a CSV with columns name,url,province,level (name and url required).

Errors name the file and line so a user can fix them: ``portals.csv line 4: missing url``.
"""
from __future__ import annotations

import csv
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from archive.reports.urls import host_ip
from crawler.netguard import literal_refusal

DEFAULT_PORTALS = Path(__file__).with_name("portals.csv")
# For readers that leave the internal-address check to crawler.netguard at fetch time.
ANY_NETWORK = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
REQUIRED = ("name", "url")


class PortalsError(ValueError):
    """The portals CSV cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Portal:
    """One government portal to crawl, as listed in the CSV."""

    name: str
    url: str
    province: str = ""
    level: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def check_url(url: str, allowed=()) -> str | None:
    """Return why `url` is not a usable portal home page, or None if it is. ``allowed``:
    networks (NIANBAO_ALLOW_PRIVATE_NETWORKS) an internal address may be in."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"bad url {url!r} ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"bad url {url!r} (must start with http:// or https://)"
    why = literal_refusal(parts.hostname or "", allowed)
    if why:
        return f"{url} is a {why}, not a public portal (allow it with NIANBAO_ALLOW_PRIVATE_NETWORKS)"
    if not parts.hostname or "." not in parts.hostname and parts.hostname != "localhost" \
            and host_ip(parts.hostname) is None:
        return f"bad url {url!r} (no host name)"
    try:
        _ = parts.port  # urllib raises ValueError on a bad port only when asked
    except ValueError:
        return f"bad url {url!r} (bad port)"
    return None


def load_portals(path: str | Path = DEFAULT_PORTALS, allowed=()) -> list[Portal]:
    """Read and validate a portals CSV; raise PortalsError naming the file and line.
    ``allowed``: networks an internal address may be in (see check_url)."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PortalsError(f"{path}: no such file") from None
    except OSError as exc:
        raise PortalsError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # saved by Excel on a Chinese Windows
        except UnicodeDecodeError:
            raise PortalsError(f"{name}: not UTF-8 or GB18030 text") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise PortalsError(f"{name} line 1: empty file, expected a header name,url,province,level")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise PortalsError(f"{name} line 1: missing column {', '.join(missing)} "
                           f"(header is: {','.join(header)})")
    reader.fieldnames = header
    portals: list[Portal] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise PortalsError(f"{name} line {line}: more fields than the header has")
        row = {k: (v or "").strip() for k, v in row.items()}
        if not any(row.values()) or row.get("name", "").startswith("#"):
            continue
        for col in REQUIRED:
            if not row.get(col):
                raise PortalsError(f"{name} line {line}: missing {col}")
        problem = check_url(row["url"], allowed)
        if problem:
            raise PortalsError(f"{name} line {line}: {problem}")
        if row["url"] in seen:
            raise PortalsError(f"{name} line {line}: url {row['url']} already listed on line {seen[row['url']]}")
        seen[row["url"]] = line
        extra = {k: v for k, v in row.items() if k not in ("name", "url", "province", "level")}
        portals.append(Portal(row["name"], row["url"], row.get("province", ""), row.get("level", ""), extra))
    if not portals:
        raise PortalsError(f"{name}: no portals listed")
    return portals
