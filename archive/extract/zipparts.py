"""Parts of zip-packaged documents (DOCX, XLSX, OFD), read without trusting the package.

A zip member can inflate to thousands of times its stored size (a "zip bomb": a 1 MB
attachment holding 1 GB of XML), and its XML can declare entities that expand exponentially
("billion laughs") or name local files. The extractors read every part through
:class:`Parts` and parse it with :func:`xml_parser`:

- a part is inflated to at most ``max_part`` bytes, all the parts of one document together
  to ``max_total``: a part whose declared size is larger is refused before inflating, and
  reading stops at the cap whatever the declaration says;
- a damaged, encrypted or oddly compressed part raises :class:`PartError` (a ValueError)
  naming the part, like a part that is too large;
- XML is parsed in recover mode without entity expansion, DTD loading, network access or
  lxml's huge-tree mode (which would also lift libxml2's own amplification limits).
"""
from __future__ import annotations

import zipfile
import zlib

from lxml import etree

__all__ = ["Parts", "PartError", "xml_parser", "MAX_PART_BYTES", "MAX_TOTAL_BYTES"]

# A 300-page DOCX report with its tables has a document.xml of ~15 MB.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024


class PartError(ValueError):
    """A zip part that cannot be read: too large once inflated, damaged or encrypted."""


class Parts:
    """Reads the parts of one zip under a per-part and a total size cap."""

    def __init__(self, zf: zipfile.ZipFile, max_part: int | None = None,
                 max_total: int | None = None):
        self.zf = zf
        self.max_part = MAX_PART_BYTES if max_part is None else max_part
        self.left = MAX_TOTAL_BYTES if max_total is None else max_total
        self._names = set(zf.namelist())

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def read(self, name: str) -> bytes:
        """The inflated bytes of part `name`. KeyError if there is no such part, PartError
        if it is larger than the caps allow or cannot be inflated."""
        if name not in self._names:
            raise KeyError(name)
        limit = min(self.max_part, self.left)
        # zipfile inflates no more than the size the directory declares (a part that
        # inflates further fails its CRC), so a declared size over the cap is refused unread
        if self.zf.getinfo(name).file_size > limit:
            raise PartError(f"{name}: larger than {limit} bytes decompressed")
        try:
            with self.zf.open(name) as fh:
                data = fh.read(limit + 1)  # stops there: a bomb costs `limit` bytes
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError,
                OSError) as exc:
            # bad CRC, truncated or corrupt deflate data, unknown compression, encryption
            raise PartError(f"{name}: {type(exc).__name__}: {exc}") from None
        if len(data) > limit:
            raise PartError(f"{name}: larger than {limit} bytes decompressed")
        self.left -= len(data)
        return data

    def xml(self, name: str):
        """Part `name` parsed with :func:`xml_parser`; KeyError, PartError or lxml's
        XMLSyntaxError when it cannot be had."""
        return etree.fromstring(self.read(name), xml_parser())


def xml_parser() -> etree.XMLParser:
    """An XML parser for untrusted document parts (see the module docstring)."""
    return etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                           load_dtd=False, huge_tree=False)
