"""Text repairs for the defects real reports carry.

Each repair is a small pure function that leaves clean text unchanged, so the
pipeline can run all of them on every document:

- `normalize_chars`: Kangxi radicals / compatibility ideographs -> unified,
  full-width digits and latin -> ASCII, ideographic space and nbsp -> space.
- `strip_chrome`: breadcrumb, page tools, "扫一扫" and similar page furniture
  that comes along when a whole HTML page is turned into text.
- `strip_page_numbers`: lines that are only a page number ("1", "- 2 -", "第 3 页").
- `collapse_fake_bold`: PDFs that fake bold by printing a run 2-4 times give
  "一、一、一、一、加强组织领导加强组织领导…"; collapse such runs.
- `join_broken_lines`: PDF text breaks lines inside sentences; Chinese needs no
  space when rejoined.
- `fix_font_map`: a font whose CMap is shifted by one code point prints 丌 for
  不, 迚 for 进 … and 不 for 与; fixed only where the document shows the defect.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata

from extract.cjk import HAN
from extract.dates import DATE_LINE

logger = logging.getLogger(__name__)

CJK = HAN
_CN_NUM = "一二三四五六七八九十百零〇"

# ---------------------------------------------------------------- characters


def _normalize_char(ch: str) -> str:
    cp = ord(ch)
    if 0x2F00 <= cp <= 0x2FDF or 0x2E80 <= cp <= 0x2EFF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F:
        return unicodedata.normalize("NFKC", ch)
    if 0xFF10 <= cp <= 0xFF19 or 0xFF21 <= cp <= 0xFF3A or 0xFF41 <= cp <= 0xFF5A:
        return chr(cp - 0xFEE0)
    if ch in "\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff":
        return "" if ch in "\u200b\ufeff" else " "
    return ch


_SPECIAL = re.compile(
    "[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
    "\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff]"
)


def normalize_chars(text: str) -> str:
    """Map look-alike code points to the ones search and matching expect."""
    text = text.replace("&nbsp;", " ").replace("\r\n", "\n").replace("\r", "\n")
    return _SPECIAL.sub(lambda m: _normalize_char(m.group(0)), text)


# ---------------------------------------------------------------- page chrome

_CHROME_LINE = re.compile(
    r"^\s*(?:"
    r"您(?:当前|现在)?的?(?:位置|所在位置)|当前位置|所在位置"
    r"|.{0,40}(?:浏览次数|访问次数|阅读次数|点击数|点击量)"
    r"|.{0,40}字体\s*[:：]?\s*[\[【(（]?\s*(?:大|中|小|\s*[\]】)）])"
    r"|政策咨询\s*$"
    r"|如果您对该政策文件有疑问"
    r"|扫一扫在手机(?:上)?打开当前页|扫一扫.{0,6}(?:打开|分享)"
    r"|.{0,10}(?:打印本页|关闭窗口|【打印】|【关闭】|\[打印\]|\[关闭\]|打印\s*关闭)"
    r"|(?:上一篇|下一篇|上一条|下一条)\s*[:：]"
    r"|分享到\s*[:：]?"
    r"|(?:【|\[)?\s*(?:我要纠错|收藏本页|加入收藏)"
    r")"
)


def strip_chrome(text: str) -> str:
    """Drop page-furniture lines; read the facts they hold (发表时间) before calling this."""
    out = []
    for line in text.split("\n"):
        if len(line.strip()) <= 120 and _CHROME_LINE.match(line):
            continue
        out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------- page numbers

_PAGE_NUM = re.compile(
    r"^\s*(?:[-—–_~]\s*\d{1,3}\s*[-—–_~]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|共\s*\d{1,3}\s*页\s*第\s*\d{1,3}\s*页|page\s*\d{1,3}(?:\s*of\s*\d{1,3})?)\s*$",
    re.I,
)
_BARE_NUM = re.compile(r"^\s*\d{1,3}\s*$")


def strip_page_numbers(text: str, *, bare: bool | None = None) -> str:
    """Remove lines that hold only a page number.

    Decorated forms (- 2 -, 第 3 页) always go. A bare number line goes only in
    hard-wrapped (PDF-like) text: in an HTML or table dump a lone "0" under
    "四、结转下年度继续办理" is a value. Tab-holding lines are table rows and stay.
    """
    if bare is None:
        bare = looks_hard_wrapped(text)
    out = []
    for ln in text.split("\n"):
        if "\t" not in ln and (_PAGE_NUM.match(ln) or (bare and _BARE_NUM.match(ln))):
            continue
        out.append(ln)
    return "\n".join(out)


# ---------------------------------------------------------------- fake bold

_MARKER = re.compile(
    rf"^(?:[{_CN_NUM}]+[、.．]|[（(][{_CN_NUM}\d]+[）)]|\d+[、.．]|[{_CN_NUM}]是|第[{_CN_NUM}\d]+[章节条部分])$"
)
_HAS_CJK2 = re.compile(rf"[{CJK}].*[{CJK}]", re.S)
_MAX_UNIT = 60


def _primitive(unit: str) -> bool:
    n = len(unit)
    return not any(n % d == 0 and unit[:d] * (n // d) == unit for d in range(1, n // 2 + 1))


_ANY_REPEAT = re.compile(rf"(.{{2,{_MAX_UNIT}}})\1", re.S)
# Every unit that can collapse holds one of these (≥2 CJK characters, or a marker's 、 . ． ） ) 是 第…章).
_UNIT_SIGNAL = re.compile(rf"[{CJK}、.．）)]")


def _collapse_line(line: str) -> str:
    if len(line) < 4 or not _ANY_REPEAT.search(line):  # C-speed precheck: most lines repeat nothing
        return line
    # Positions with no signal character within a unit's reach are copied in one go, and a unit's
    # repeats are counted only when it could collapse: both used to run for every position, quadratic
    # on a long run of one character (fuzzing: a 5,000-character line of x took 6 s; 1M, hours).
    signals = [m.start() for m in _UNIT_SIGNAL.finditer(line)]
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        j = bisect.bisect_left(signals, i)
        if j == len(signals) or signals[j] >= i + min(_MAX_UNIT, (n - i) // 2):
            nxt = n if j == len(signals) else max(i + 1, signals[j] - _MAX_UNIT + 1)
            out.append(line[i:nxt])
            i = nxt
            continue
        done = False
        # only sizes whose second copy starts with the unit's first character can repeat: str.find picks
        # them out in C instead of comparing a slice for every size (table rows went through ~30 each)
        first, end = line[i], i + min(_MAX_UNIT, (n - i) // 2) + 1
        at = line.find(first, i + 2, end)
        while at != -1:
            size = at - i
            at = line.find(first, at + 1, end)
            unit = line[i : i + size]
            if line[i + size : i + 2 * size] != unit:
                continue
            if not _primitive(unit) or unit.strip() != unit:
                continue
            marker = bool(_MARKER.match(unit))
            starts_marker = bool(re.match(rf"^(?:[{_CN_NUM}]+、|[（(][{_CN_NUM}\d]+[）)])", unit))
            if not (marker or (starts_marker and i == 0) or _HAS_CJK2.search(unit)):
                continue  # no number of repeats makes this unit collapse
            k = 2
            while line[i + k * size : i + (k + 1) * size] == unit:
                k += 1
            ok = (
                (marker and k >= 2)
                or (k >= 3 and bool(_HAS_CJK2.search(unit)))
                or (k >= 2 and starts_marker and len(unit) >= 4 and i == 0)
            )
            if ok:
                out.append(unit)
                i += k * size
                done = True
                break
        if not done:
            out.append(line[i])
            i += 1
    return "".join(out)


def _undouble_chars(line: str) -> str:
    """'一一、、加加强强组组织织领领导导' -> '一、加强组织领导' (each glyph drawn twice)."""
    s = line.strip()
    if len(s) >= 8 and len(s) % 2 == 0 and s[0::2] == s[1::2] and len(re.findall(rf"[{CJK}]", s)) >= 4:
        return s[0::2]
    return line


def collapse_fake_bold(text: str) -> str:
    """Collapse runs printed several times over (fake bold) to one copy.

    A run collapses when a unit of ≥2 characters repeats: a heading marker
    (一、 （一） 一是 1、) twice or more, or a unit holding ≥2 CJK characters
    three times or more, or a heading-led unit twice at the start of a line.
    Units that are themselves repetitions (哈哈 = 哈×2) never count, so 哈哈哈,
    常常 and 谢谢谢谢 are left alone, and digit-only runs (000000) too.
    """
    return "\n".join(_collapse_line(_undouble_chars(ln)) for ln in text.split("\n"))


# ---------------------------------------------------------------- line joining

_END = "。！？!?…"
_CLOSE = "”’」』）)】》"


def _ends_sentence(line: str) -> bool:
    """。！？ end a sentence, also inside closing quotes/brackets (。” counts, ” alone does not).

    ；and ： do not: in wrapped PDF text a line ending with them usually goes on.
    """
    line = line.rstrip()
    while len(line) > 1 and line[-1] in _CLOSE:
        line = line[:-1]
    return bool(line) and line[-1] in _END
HEADING_RE = re.compile(
    rf"^\s*(?:[{_CN_NUM}]+\s*[、.．]|[（(]\s*[{_CN_NUM}\d]+\s*[）)]|\d{{1,2}}\s*[、．](?!\d)|\d{{1,2}}\.(?!\d)"
    rf"|[{_CN_NUM}]+是|第[{_CN_NUM}\d]+[章节条部分]|附件|附表)"
)
DATE_LINE_RE = re.compile(rf"^\s*{DATE_LINE}\s*$")  # Arabic or Chinese numerals (extract.dates)


def _width(lines: list[str]) -> float:
    lengths = sorted(len(ln) for ln in lines)
    if not lengths:
        return 0.0
    return float(lengths[int(0.8 * (len(lengths) - 1))])


def looks_hard_wrapped(text: str) -> bool:
    """True when most long lines end mid-sentence, as in PDF text dumps."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip() and "\t" not in ln]
    if len(lines) < 6:
        return False
    width = _width(lines)
    if width < 10:
        return False
    long_lines = [ln for ln in lines if len(ln) >= 0.7 * width]
    open_lines = [ln for ln in long_lines if not _ends_sentence(ln)]
    return len(open_lines) >= 4 and len(open_lines) >= 0.5 * len(long_lines)


def join_broken_lines(text: str, *, force: bool = False) -> str:
    """Re-join lines broken inside sentences (only in hard-wrapped text unless `force`).

    A line is joined to the next unless it ends a sentence, is clearly shorter
    than the wrap width (a paragraph end or a heading), or the next line starts a
    heading or is a date line. Lines holding tabs are table rows and never joined.
    """
    if not force and not looks_hard_wrapped(text):
        return text
    raw = text.split("\n")
    stripped = [ln.strip() for ln in raw if ln.strip() and "\t" not in ln]
    width = _width(stripped)
    out: list[str] = []
    open_para = False  # last output line may continue
    for ln in raw:
        if not ln.strip():
            continue
        if "\t" in ln:
            out.append(ln)
            open_para = False
            continue
        s = ln.strip()
        if open_para and out and not HEADING_RE.match(s) and not DATE_LINE_RE.match(s):
            out[-1] = out[-1] + s
        else:
            out.append(s)
        prev_len = len(s)
        open_para = (
            not _ends_sentence(s)
            and prev_len >= 0.7 * width
            and not DATE_LINE_RE.match(s)
        )
    return "\n".join(out)


# ---------------------------------------------------------------- font map

# Glyphs a shifted CMap prints instead of the intended character.
FONT_MAP = {"丌": "不", "迚": "进", "劢": "动", "挃": "指", "幵": "并", "挄": "按", "乊": "之", "亍": "于", "丏": "且"}
# After 不 these characters make a common 不-word (不断, 不够, 不公开…), so a
# printed 不 followed by one of them is kept as 不 even in a defective document.
_BU_WORDS = set(
    "断够足予能得是同再会要可仅过少良定一符全合当属涉公明宜存掌动利力规及高到准敢讲正便久远懈必用变稳"
    "在对好大多清实作容涉予满了但管论限然止"
)


def has_font_map_defect(text: str) -> bool:
    return len({c for c in FONT_MAP if c in text}) >= 2


def fix_font_map(text: str) -> str:
    """Undo the shifted-CMap defect, only in documents that show it.

    Rule for 不/与: the defect shifts each character one code point down, so a
    true 不 (U+4E0D) prints as 丌 (U+4E0C) and a true 与 (U+4E0E) prints as 不.
    When the document shows 丌, every 不 it prints is therefore a shifted 与 —
    unless the next character makes a common 不-word (不断, 不公开, 不够…),
    which covers documents mixing a defective and a sound font. Without 丌 in
    the document only the unambiguous 参不 and 不否 are mapped to 与.
    """
    if not has_font_map_defect(text):
        return text
    if "丌" in text:
        chars = list(text)
        for i, ch in enumerate(chars):
            if ch == "不":
                nxt = chars[i + 1] if i + 1 < len(chars) else ""
                if nxt not in _BU_WORDS:
                    chars[i] = "与"
        text = "".join(chars)
    else:
        text = re.sub(rf"参不(?=[{HAN}])", "参与", text)
        text = text.replace("不否", "与否")
    for bad, good in FONT_MAP.items():
        text = text.replace(bad, good)
    return text


# ---------------------------------------------------------------- whole pipeline


def tidy_whitespace(text: str) -> str:
    lines = [ln.rstrip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if not ln.strip():
            if out and out[-1] == "":
                continue
            out.append("")
        else:
            out.append(ln if "\t" in ln else ln.strip())
    return "\n".join(out).strip("\n")


def repair_text(text: str, *, kind: str = "text") -> tuple[str, list[str]]:
    """Run every repair; return the text and the names of repairs that changed it."""
    applied: list[str] = []
    steps = [
        ("normalize_chars", normalize_chars),
        ("strip_chrome", strip_chrome),
        ("strip_page_numbers", strip_page_numbers),
        ("collapse_fake_bold", collapse_fake_bold),
        ("join_broken_lines", lambda t: join_broken_lines(t, force=kind == "pdf")),
        ("fix_font_map", fix_font_map),
        ("tidy_whitespace", tidy_whitespace),
    ]
    for name, fn in steps:
        try:
            new = fn(text)
        except Exception as exc:  # a repair must never lose the document
            logger.warning("repair %s failed: %s", name, exc)
            continue
        if new != text and name != "tidy_whitespace":
            applied.append(name)
        text = new
    return text, applied
