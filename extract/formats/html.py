"""HTML detail pages: decoded text, main text, <meta> tags, attachments, tables.

Main text: the CMS body container (TRS `div.TRS_Editor` / `div.trs_editor_view`,
Hanweb `div#zoom` or the ContentStart/ContentEnd meta markers) is the most
reliable source on these pages, so it wins when it holds real text;
trafilatura (tables included, recall favoured) covers pages without a known
container.
"""

from __future__ import annotations

import copy
import logging
import re
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from extract.cjk import HAN_CHAR
from extract.flags import HTML_TRUNCATED, TABLE_SKIPPED
from extract.formats.encoding import decode_bytes
from extract.record import Document, Link

logger = logging.getLogger(__name__)

MAX_HTML_BYTES = 20 * 1024 * 1024
_ATTACH_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|ofd|rtf|zip|rar|et)(?:$|[?#])", re.I)
_SCRIPT_HREF = re.compile(r"""href\s*=\s*\\?["']([^"'\\]+)\\?["'][^>]*>([^<]*)""", re.I)
_CONTAINERS = [
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' trs_editor_view ')]",
    "//*[@id='zoom']",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]",
    "//div[@id='UCAP-CONTENT']",
    "//div[contains(@class, 'article-content') or contains(@class, 'content_text')]",
]
_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    "article", "blockquote", "pre", "center", "dd", "dt", "dl", "hr", "tbody", "thead",
}
_CJK = HAN_CHAR


_SKIP_TAGS = frozenset(("script", "style", "noscript", "template"))
_BLANK_BEFORE_BREAK = re.compile(r"[ \t\u3000\xa0]*\n[ \t\u3000\xa0]*(?=\n)")
_CELL_SPACES = re.compile(r"[ \u3000\xa0]+")
_ROW_START = re.compile(r"^ *\t")
_BLANK_LINES = re.compile(r"\n{3,}")


def element_text(el: etree._Element) -> str:
    """Text of an element with line breaks at blocks and tabs between table cells."""
    return _element_texts(el)[0]


def _element_texts(el: etree._Element, inner: etree._Element | None = None) -> tuple[str, str | None]:
    """(element_text(el), element_text(inner)) in one walk of `el`'s tree; the second is None when `inner`
    is not `el` or inside it. Why: a detail page's main-text container lies inside its body, whose text is
    needed too, and the walk is a good part of an HTML report's CPU."""
    parts: list[str] = []
    append = parts.append
    span = [0, -1]  # where inner's pieces (its tail included, as element_text(inner) has it) start and end

    def walk(node: etree._Element) -> None:
        raw = node.tag
        if isinstance(raw, str):
            tag = raw.lower()
        elif raw is etree.Comment:
            tag = None
        else:  # a processing instruction or an entity: only its tail
            tag = ""
        if node is inner:
            span[0] = len(parts)
        if tag is None or tag in _SKIP_TAGS:
            if node.tail:
                append(node.tail)
        else:
            block = tag in _BLOCK_TAGS
            if block:
                append("\n")
            elif tag == "td" or tag == "th":
                append("\t")
            if tag and node.text:
                append(node.text)
            for child in node:
                walk(child)
            if block:
                append("\n")
            if node.tail:
                append(node.tail)
        if node is inner:
            span[1] = len(parts)

    walk(el)
    inner_text = _finish_text("".join(parts[span[0]:span[1]])) if span[1] >= 0 else None
    return _finish_text("".join(parts)), inner_text


def _finish_text(text: str) -> str:
    text = _BLANK_BEFORE_BREAK.sub("\n", text.replace("\r", ""))
    lines = []
    for ln in text.split("\n"):
        if "\t" in ln:
            ln = _CELL_SPACES.sub(" ", ln).rstrip()
            ln = _ROW_START.sub("", ln)  # first cell starts the row
        lines.append(ln)
    text = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _parse(text: str, errors: list[str] | None = None) -> etree._Element | None:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = lxml_html.HTMLParser()
    try:
        root = lxml_html.fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        logger.info("html parse failed: %s", exc)
        return None
    # libxml2 drops whatever lies deeper than 255 elements, silently but for its error log (fuzzing:
    # a page whose body sat under 300 unclosed <div>s came out as an empty report with no error)
    if errors is not None and any("Excessive depth" in e.message for e in parser.error_log):
        errors.append("html nested more than 255 elements deep: the content below that depth was lost")
    return root


def _metas(root: etree._Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in root.iter("meta"):
        name = m.get("name") or m.get("property")
        content = m.get("content")
        if name and content is not None and name not in meta:
            meta[name.strip()] = content.strip()
    return meta


def _marker_fragment(text: str) -> str | None:
    """HTML between <meta name="ContentStart"> and <meta name="ContentEnd"> (Hanweb)."""
    m = re.search(r"<meta[^>]+name=[\"']?ContentStart[^>]*>(.*?)<meta[^>]+name=[\"']?ContentEnd", text, re.S | re.I)
    return m.group(1) if m else None


def _attachments(root: etree._Element, raw: str, url: str | None) -> list[Link]:
    seen: set[str] = set()
    out: list[Link] = []

    def add(href: str, label: str) -> None:
        href = (href or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            return
        if not (_ATTACH_EXT.search(href) or "downfile.jsp" in href or "download" in href.lower() and "filename=" in href):
            return
        try:
            full = urljoin(url, href) if url else href
        except ValueError as exc:  # 'http://[abc/a.pdf': an invalid IPv6 host (fuzzing: it cost the whole page)
            logger.info("attachment link %r skipped: %s", href, exc)
            return
        if full not in seen:
            seen.add(full)
            out.append(Link(url=full, text=re.sub(r"\s+", " ", label or "").strip()))

    for a in root.iter("a"):
        add(a.get("href") or "", a.text_content() if hasattr(a, "text_content") else "")
        if a.get("oldsrc") and not a.get("href"):
            add(a.get("oldsrc") or "", "")
    for script in root.iter("script"):
        for m in _SCRIPT_HREF.finditer(script.text or ""):
            add(m.group(1), m.group(2))
    return out


def _for_trafilatura(root: etree._Element, text: str) -> str | etree._Element:
    """The page for trafilatura: as fetched, unless a table is too large to expand (`extract.tables`).

    trafilatura expands rowspan/colspan too, in time quadratic in the expanded width (fuzzing: 20 KB
    of cells with rowspan=colspan=100000 took 50 s, 90 KB over 5 minutes, all in-process): it gets a
    copy of the tree whose oversized tables have lost their spans.
    """
    from extract.tables import table_too_large

    if not any(table_too_large(t) for t in root.iter("table")):
        return text
    tree = copy.deepcopy(root)
    for table in tree.iter("table"):
        if table_too_large(table):
            for cell in table.iter("td", "th"):
                cell.attrib.pop("rowspan", None)
                cell.attrib.pop("colspan", None)
    return tree


def _trafilatura_text(text: str | etree._Element, url: str | None) -> str:
    try:
        import trafilatura

        out = trafilatura.extract(
            text, url=url, include_tables=True, favor_recall=True, include_comments=False,
            include_images=False, output_format="txt", deduplicate=False,
        )
        return out or ""
    except Exception as exc:  # trafilatura bugs on odd markup must not stop extraction
        logger.info("trafilatura failed: %s", exc)
        return ""


def _tables(el: etree._Element, doc: Document) -> None:
    try:
        from extract.tables import html_tables_to_grids
    except ImportError:  # TODO: remove once extract.tables is always present
        return
    skipped: list[str] = []
    try:
        doc.tables = html_tables_to_grids(el, skipped)
    except Exception as exc:
        logger.warning("html tables failed: %s", exc)
        doc.errors.append(f"html tables failed: {exc}")
    if skipped:
        doc.flag(TABLE_SKIPPED, f"html table skipped as too large: {skipped[0]}"
                 + (f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""), "; ".join(skipped))


def extract_html(data: bytes, *, url: str | None = None, content_type: str | None = None) -> Document:
    doc = Document(kind="html")
    if len(data) > MAX_HTML_BYTES:
        doc.flag(HTML_TRUNCATED, "html truncated", f"{len(data):,} bytes, the first {MAX_HTML_BYTES:,} read")
        data = data[:MAX_HTML_BYTES]
        doc.errors.append("html truncated at 20 MB")
    text, enc = decode_bytes(data, content_type=content_type, html=True)
    doc.meta["encoding"] = enc
    root = _parse(text, doc.errors)
    if root is None:
        doc.errors.append("html could not be parsed")
        doc.text = re.sub(r"<[^>]+>", "\n", text)
        return doc
    doc.meta.update(_metas(root))
    t = root.find(".//title")
    html_title = re.sub(r"\s+", " ", t.text_content()).strip() if t is not None else ""
    if html_title:
        doc.meta["html_title"] = html_title
    doc.title = doc.meta.get("ArticleTitle") or doc.meta.get("articletitle") or _strip_site_suffix(html_title) or None

    body = root.find(".//body")
    container = None
    container_text: str | None = None
    frag = _marker_fragment(text)
    if frag:
        container = _parse(f"<div>{frag}</div>")
        container_text = element_text(container) if container is not None else None
    if container is None or len(_CJK.findall(container_text or "")) < 20:
        for xp in _CONTAINERS:
            found = root.xpath(xp)
            if found:
                container, container_text = found[0], None
                break
    # the page's text and, in the same walk, its container's when the container lies in the page's body
    page_text, inner_text = _element_texts(body if body is not None else root, container)
    if container_text is None:
        container_text = inner_text if inner_text is not None else (
            element_text(container) if container is not None else "")
    doc.meta["_page_text"] = page_text  # whole page as text: metadata block and chrome live here
    doc.attachments = _attachments(root, text, url)

    n_container = len(_CJK.findall(container_text))
    if n_container >= 20:
        doc.text = container_text
        doc.meta["_main_text_source"] = "container"
        _tables(container, doc)
    else:
        traf = _trafilatura_text(_for_trafilatura(root, text), url)
        n_traf = len(_CJK.findall(traf))
        if n_traf >= max(20, n_container):
            doc.text = traf
            doc.meta["_main_text_source"] = "trafilatura"
        else:
            doc.text = container_text or page_text
            doc.meta["_main_text_source"] = "container" if container_text else "page"
        _tables(root, doc)
    return doc


def _strip_site_suffix(title: str) -> str:
    """'X年度报告_某某县人民政府' -> the part that looks like the document title."""
    if not title:
        return title
    parts = [p.strip() for p in re.split(r"\s*(?:_|\||｜|—{1,2}|－| - )\s*", title) if p.strip()]
    if len(parts) <= 1:
        return title
    for p in parts:
        if re.search(r"(报告|总结|年报|通知|公告)", p):
            return p
    return max(parts, key=len)
