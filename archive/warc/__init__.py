"""WARC files: writing (`WarcWriter`), reading back (`iter_exchanges`, `iter_records`),
Content-Encoding removal (`decode_content`) and crash recovery (`recover`).

Modules: records (record building: shapes, digests, dates, HTTP heads), writer, reader,
content, recover; verify, cdxj and wacz (`python -m archive verify|cdxj|pack`) use them.
The public names of the first five are importable from here.
"""
from .records import (  # noqa: F401
    WARC_VERSION,
    OPEN_SUFFIX,
    GZIP_MAGIC,
    PROFILE_SERVER_NOT_MODIFIED,
    PROFILE_IDENTICAL_PAYLOAD,
    ORIG_PREFIX,
    CONTEXT_URI_PREFIX,
    HttpExchange,
    Capture,
    ArchiveError,
    ArchiveFullError,
    sha1_digest,
    check_digest,
    warc_date,
    archived_response_headers,
    http_response_head,
    http_request_head,
)
from .writer import (  # noqa: F401
    WarcWriter,
)
from .reader import (  # noqa: F401
    Member,
    iter_members,
    WarcRecord,
    RecordError,
    parse_records,
    ErrorCallback,
    warc_files,
    iter_records,
    ArchivedRequest,
    ArchivedExchange,
    iter_exchanges,
    read_response,
    exchanges_in_file,
)
from .content import (  # noqa: F401
    ContentDecodingError,
    ContentTooLarge,
    decode_content,
)
from .recover import (  # noqa: F401
    recover,
)
