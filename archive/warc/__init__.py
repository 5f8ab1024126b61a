"""WARC files: writing (`WarcWriter`), reading back (`iter_exchanges`, `iter_records`),
Content-Encoding removal (`decode_content`) and crash recovery (`recover`).

Modules: records (record building: shapes, digests, dates, HTTP heads), writer, reader,
content, recover; verify, cdxj and wacz (`python -m archive verify|cdxj|pack`) use them.
The public names of the first five are importable from here.
"""
from .content import (  # noqa: F401
    ContentDecodingError,
    ContentTooLarge,
    decode_content,
)
from .reader import (  # noqa: F401
    ArchivedExchange,
    ArchivedRequest,
    ErrorCallback,
    Member,
    RecordError,
    WarcRecord,
    exchanges_in_file,
    iter_exchanges,
    iter_members,
    iter_records,
    parse_records,
    read_response,
    warc_files,
)
from .records import (  # noqa: F401
    CONTEXT_URI_PREFIX,
    GZIP_MAGIC,
    LISTDATE_URI_PREFIX,
    OPEN_SUFFIX,
    ORIG_PREFIX,
    PROFILE_IDENTICAL_PAYLOAD,
    PROFILE_SERVER_NOT_MODIFIED,
    RUN_URI_PREFIX,
    WARC_VERSION,
    ArchiveError,
    ArchiveFullError,
    Capture,
    HttpExchange,
    archived_response_headers,
    check_digest,
    http_request_head,
    http_response_head,
    sha1_digest,
    warc_date,
)
from .recover import (  # noqa: F401
    recover,
)
from .writer import (  # noqa: F401
    WarcWriter,
)
