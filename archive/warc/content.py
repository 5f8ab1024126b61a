"""Content-Encoding removal, exactly as Scrapy's HttpCompression middleware does it
(`decode_content`), bounded by a maximum size."""
from __future__ import annotations

import io
import logging
import zlib

log = logging.getLogger(__name__)


class ContentDecodingError(ValueError):
    """The payload cannot be decoded at all (the crawl's download failed the same way)."""


class ContentTooLarge(ContentDecodingError):
    """Decoding would exceed `max_size` (Scrapy: IgnoreRequest, DOWNLOAD_MAXSIZE)."""


_DECODE_CHUNK = 65536
_SUPPORTED_CODINGS = ("gzip", "x-gzip", "deflate", "br", "zstd")


def _grow(size: int, chunk: bytes, max_size: int) -> int:
    size += len(chunk)
    if max_size and size > max_size:
        raise ContentTooLarge(f"decoded body exceeds {max_size} bytes")
    return size


def decode_content(payload: bytes, content_encoding: str | None, max_size: int = 0) -> bytes:
    """Undo Content-Encoding the way scrapy.downloadermiddlewares.httpcompression does, so the
    bytes re-indexing extracts from are the bytes the crawl extracted from:

    * codings are undone last-applied first, stopping at the first unsupported one (whose
      bytes are then returned as they are);
    * gzip keeps what decompressed before a CRC error or truncation (GzipFile.read1, as
      scrapy.utils.gz.gunzip); with nothing decompressed it fails;
    * deflate falls back to raw deflate (some IIS servers);
    * decompression stops with `ContentTooLarge` past `max_size` (0: no limit), so a gzip bomb
      costs `max_size` bytes of memory, not its decompressed size.
    """
    if not content_encoding or not payload:
        return payload
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    body = payload
    while codings:
        coding = codings.pop()
        if coding not in _SUPPORTED_CODINGS:  # "identity" included, as in Scrapy
            break
        try:
            if coding in ("gzip", "x-gzip"):
                body = _gunzip(body, max_size)
            elif coding == "deflate":
                body = _inflate(body, max_size)
            elif coding == "br":
                body = _unbrotli(body, max_size)
            else:
                body = _unzstd(body, max_size)
        except ContentDecodingError:
            raise
        except Exception as e:
            raise ContentDecodingError(f"cannot decode {coding} content: {e}") from e
    return body


def _gunzip(data: bytes, max_size: int) -> bytes:
    import gzip
    import struct

    f = gzip.GzipFile(fileobj=io.BytesIO(data))
    # a CRC error or truncation keeps what came before it, as Scrapy does; nothing at all fails
    return _drain(f.read1, max_size, (OSError, EOFError, struct.error), keep_partial=True)


def _drain(read, max_size: int, errors: tuple, keep_partial: bool) -> bytes:
    """Read a decompressing stream to its end in _DECODE_CHUNK pieces, stopping with
    ContentTooLarge past `max_size`. One of `errors` ends the stream; with `keep_partial` it is
    raised again when nothing came out before it."""
    out = io.BytesIO()
    size = 0
    while True:
        try:
            chunk = read(_DECODE_CHUNK)
        except errors:
            if keep_partial and not out.getbuffer().nbytes:
                raise
            break
        if not chunk:
            break
        size = _grow(size, chunk, max_size)
        out.write(chunk)
    return out.getvalue()


def _inflate(data: bytes, max_size: int) -> bytes:
    d = zlib.decompressobj()
    try:
        first = d.decompress(data, _DECODE_CHUNK)
    except zlib.error:
        d = zlib.decompressobj(-15)
        first = d.decompress(data, _DECODE_CHUNK)
    size = _grow(0, first, max_size)
    out = io.BytesIO()
    out.write(first)
    while d.unconsumed_tail and not d.eof:
        chunk = d.decompress(d.unconsumed_tail, _DECODE_CHUNK)
        size = _grow(size, chunk, max_size)
        out.write(chunk)
    return out.getvalue()


def _unbrotli(data: bytes, max_size: int) -> bytes:
    try:
        import brotli
    except ImportError:  # pragma: no cover
        import brotlicffi as brotli
    d = brotli.Decompressor()
    if not hasattr(d, "process"):
        # brotlipy (an old package also named `brotli`) shadows Google's brotli in some
        # environments: no streaming output limit there, so check the size afterwards.
        body = brotli.decompress(data)
        _grow(0, body, max_size)
        return body
    first = d.process(data, output_buffer_limit=_DECODE_CHUNK)
    size = _grow(0, first, max_size)
    out = io.BytesIO()
    out.write(first)
    while not d.is_finished():
        chunk = d.process(b"", output_buffer_limit=_DECODE_CHUNK)
        if not chunk:
            break
        size = _grow(size, chunk, max_size)
        out.write(chunk)
    return out.getvalue()


def _unzstd(data: bytes, max_size: int) -> bytes:
    try:
        from compression import zstd  # Python 3.14
    except ImportError:
        from backports import zstd
    reader = zstd.ZstdFile(io.BytesIO(data))
    return _drain(reader.read, max_size, (EOFError,), keep_partial=False)
