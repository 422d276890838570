"""Re-decide the encoding of HTML pages whose declared charset is wrong.

Scrapy trusts the Content-Type header over the page's own ``<meta>`` declaration. County servers often
send ``charset=utf-8`` or ``iso-8859-1`` (an error-page default, site-patterns §5) for pages that are
really GBK, or nothing at all: the link texts come out garbled, so the 信息公开 / 年报 links are never
recognised and a whole site is missed. This middleware keeps Scrapy's choice when it decodes the bytes
cleanly, and otherwise picks the ``<meta>`` declaration, then UTF-8, then gb18030 (a superset of
GB2312 and GBK). Extraction decodes report bodies on its own; this fixes what the spider reads.
"""

from __future__ import annotations

import codecs
import logging

from scrapy.http import HtmlResponse, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

logger = logging.getLogger(__name__)

# Declarations that decode any byte string, so "it decoded" proves nothing.
_SINGLE_BYTE = {"latin_1", "iso8859-1", "cp1252", "ascii", "windows-1252"}
# A handful of stray bytes in a long UTF-8 page is a broken page, not a wrong charset.
_TOLERATED_ERRORS = 2


def _norm(encoding: str | None) -> str | None:
    if not encoding:
        return None
    resolved = resolve_encoding(encoding)  # w3lib's translation (gb2312 -> gb18030, latin-1 -> cp1252 …)
    if not resolved:
        return None
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def decodes(body: bytes, encoding: str | None) -> bool:
    """Whether the bytes are valid text in this encoding."""
    if not encoding:
        return False
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _errors(body: bytes, encoding: str) -> int:
    try:
        return body.decode(encoding, errors="replace").count("\ufffd")
    except LookupError:
        return len(body)


def better_encoding(body: bytes, header: str | None, meta: str | None) -> str | None:
    """The encoding to use instead of Scrapy's choice, or None when that choice is fine.

    `header` and `meta` are the charsets named by the Content-Type header and the page's ``<meta>``.
    """
    if body.isascii():
        return None
    header_n, meta_n = _norm(header), _norm(meta)
    if header_n and header_n not in _SINGLE_BYTE:
        if decodes(body, header_n) or _errors(body, header_n) <= _TOLERATED_ERRORS:
            return None
    elif not header_n and meta_n and meta_n not in _SINGLE_BYTE and decodes(body, meta_n):
        return None  # Scrapy already uses the meta declaration
    candidates = [meta_n] if meta_n and meta_n not in _SINGLE_BYTE else []
    candidates += ["utf-8", "gb18030"]
    for candidate in candidates:
        if candidate != header_n and decodes(body, candidate):
            return candidate
    return None


class EncodingFixMiddleware:
    """Downloader middleware: hand the spider HTML decoded with the charset the bytes really use."""

    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not isinstance(response, HtmlResponse):
            return response
        ctype = response.headers.get(b"Content-Type")
        header = http_content_type_encoding(ctype.decode("latin-1")) if ctype else None
        meta = html_body_declared_encoding(response.body)
        chosen = better_encoding(response.body, header, meta)
        if chosen is None:
            return response
        logger.debug("%s: declared %s / meta %s, decoding as %s", response.url, header, meta, chosen)
        if self.stats is not None:
            self.stats.inc_value("ogi/encoding_fixed")
        return response.replace(encoding=chosen)
