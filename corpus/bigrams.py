"""CJK bigram tokenization for SQLite FTS5 (the approach of Lucene's CJKAnalyzer).

Chinese has no spaces, so FTS5's unicode61 tokenizer indexes a whole sentence as
one token and a 2-character word such as 复议 never matches; the trigram
tokenizer of SQLite 3.40 cannot match patterns shorter than 3 characters. So the
text is rewritten before FTS5 sees it: every run of CJK characters becomes its
overlapping bigrams (政府信息 -> 政府 府信 信息), a lone CJK character stays a
unigram, ASCII words and numbers are kept (lowercased), everything else is a
separator. Queries are converted the same way, so a word becomes a phrase of
adjacent bigrams and matches exactly where the characters are adjacent.

The bigrams of a run start at every character but its last, so a one-character
query (the prefix 复*) would miss 复 at the end of a run (行政复 / 答复。). The last
character of every run of two or more is therefore indexed too, as a unigram in a
column of its own (`to_index_ends`): in the same column it would sit between the
run's last bigram and the next run's first and break the phrases that span them.
"""

from __future__ import annotations

import logging
import operator
import re
import unicodedata
from dataclasses import dataclass

from extract.cjk import HAN_ALL

logger = logging.getLogger(__name__)

# CJK unified ideographs (+ extension A, compatibility, extensions B-F) and 〇.
_CJK = HAN_ALL
# A segment: a run of CJK characters, or a run of letters/digits of other scripts.
_SEGMENT_RE = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_CJK_RE = re.compile(rf"[{_CJK}]")


@dataclass(frozen=True)
class Segment:
    """A maximal run of CJK characters or of word characters, already normalized."""

    text: str
    cjk: bool

    def tokens(self) -> list[str]:
        """Bigrams for a CJK run (a unigram when it is one character); the word itself otherwise."""
        if not self.cjk or len(self.text) == 1:
            return [self.text]
        return [self.text[i : i + 2] for i in range(len(self.text) - 1)]


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and lowercase."""
    return unicodedata.normalize("NFKC", text).lower()


def segments(text: str) -> list[Segment]:
    """Split normalized text into CJK runs and word runs; drop punctuation and spaces."""
    out = []
    for m in _SEGMENT_RE.finditer(normalize(text)):
        s = m.group(0)
        out.append(Segment(s, bool(_CJK_RE.match(s))))
    return out


def tokens(text: str) -> list[str]:
    """The token stream the FTS index sees for `text`."""
    return [t for seg in segments(text) for t in seg.tokens()]


def to_index_text(text: str | None) -> str:
    """`text` rewritten for an FTS5 unicode61 column: tokens separated by spaces.

    Same result as " ".join(tokens(text)), without a Segment per run: this runs over every
    character of every report when the index is rebuilt (a third faster at 100,000 reports).
    """
    if not text:
        return ""
    out = []
    for m in _SEGMENT_RE.finditer(normalize(text)):
        s = m.group(0)
        if len(s) > 1 and _CJK_RE.match(s):
            out.append(" ".join(map(operator.add, s[:-1], s[1:])))
        else:
            out.append(s)
    return " ".join(out)


def to_index_ends(text: str | None) -> str:
    """The last character of every CJK run of two or more characters, space-separated: what a one-character
    query must also find (the bigrams cover every other position, a one-character run is its own unigram)."""
    return index_columns(text)[1]


def index_columns(text: str | None) -> tuple[str, str]:
    """(to_index_text(text), to_index_ends(text)) in one pass over the text (the index rebuild's hot loop)."""
    if not text:
        return "", ""
    out, ends = [], []
    for m in _SEGMENT_RE.finditer(normalize(text)):
        s = m.group(0)
        if len(s) > 1 and _CJK_RE.match(s):
            out.append(" ".join(map(operator.add, s[:-1], s[1:])))
            ends.append(s[-1])
        else:
            out.append(s)
    return " ".join(out), " ".join(ends)
