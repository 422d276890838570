"""Character classes of Chinese text, defined once (regex class bodies, without the brackets).

`HAN` is what report text is made of (CJK Unified Ideographs); counting it tells a real text layer
from garbage. `CJK_TEXT` adds the ideographic punctuation and full-width forms that sit between Han
characters (a space between two of these is layout, not a word break). `HAN_ALL` is every Han
block, for the search index, which must not split a rare character off its word.
"""

from __future__ import annotations

import re

HAN = "\u4e00-\u9fff"
HAN_EXT_A = "\u3400-\u4dbf"
CJK_PUNCT = "\u3000-\u303f"
FULLWIDTH = "\uff00-\uffef"
CJK_TEXT = CJK_PUNCT + HAN + FULLWIDTH
HAN_ALL = "\u3007" + HAN_EXT_A + HAN + "\uf900-\ufaff\U00020000-\U0002ffff"

HAN_CHAR = re.compile(f"[{HAN}]")


def han_count(text: str) -> int:
    """How many Han characters `text` has."""
    return len(HAN_CHAR.findall(text))
