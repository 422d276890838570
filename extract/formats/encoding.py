"""Decode page bytes the way browsers do, with the fixes Chinese government sites need.

Order: BOM, then the HTTP header charset, then <meta charset> / http-equiv
(first 4 KB), then utf-8, then gb18030. GBK and GB2312 declarations are decoded
as gb18030 (a superset: pages labelled gb2312 routinely hold GBK characters).
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "x-euc-cn", "hz-gb-2312"}
# Codecs Python has that are no web page's encoding: besides the bytes-to-bytes transforms (base64,
# rot13, zlib: not text encodings), those that fail with a bare UnicodeError or decode markup into
# something else (fuzzing: <meta charset="punycode"> or "idna" raised through the HTML extractor).
_NOT_PAGE_ENCODINGS = {"idna", "punycode", "utf-7", "unicode-escape", "raw-unicode-escape", "undefined", "charmap"}


def _norm(enc: str | None) -> str | None:
    if not enc:
        return None
    e = enc.strip().lower()
    if e in _GB:
        return "gb18030"
    if e in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        info = codecs.lookup(e)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    return info.name


def declared_charset(data: bytes, content_type: str | None, *, html: bool) -> str | None:
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            enc = _norm(m.group(1))
            # iso-8859-1 in a header is almost always a server default, not the page's truth
            if enc and enc not in ("latin-1", "iso8859-1", "ascii"):
                return enc
    if html:
        m = _META_CHARSET.search(data[:4096])
        if m:
            enc = _norm(m.group(1).decode("ascii", "ignore"))
            # a <meta> readable as ASCII is not UTF-16/32 (the HTML standard reads it as UTF-8): decoding
            # such a page as UTF-16 turns every two ASCII bytes into one CJK-looking character
            return "utf-8" if enc and enc.startswith(("utf-16", "utf-32")) else enc
    return None


def decode_bytes(data: bytes, *, content_type: str | None = None, html: bool = True) -> tuple[str, str]:
    """Return (text, encoding used). Never raises; undecodable bytes become U+FFFD."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc
    declared = declared_charset(data, content_type, html=html)
    if declared:
        try:
            return data.decode(declared), declared
        except (UnicodeError, LookupError):  # UnicodeError: some codecs raise it bare, not UnicodeDecodeError
            logger.info("declared charset %s does not fit; guessing", declared)
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode(declared or "utf-8", errors="replace"), (declared or "utf-8") + "?"
