"""Date patterns shared by the metadata reader (extract.meta) and the line repairs (extract.repair).

A date in Chinese numerals, as signatures print it: 二〇二二年一月十五日 (〇, ○, 零 or a Latin O for zero;
元月/正月 for January). extract.meta.iso_date reads it with cn2an (a maintained Chinese-numeral converter)
and validates every date, so 2021年2月30日 is no date at all.
"""

from __future__ import annotations

# Look-alikes of 〇 in years (a circle, a full-width or Latin O, a zero), mapped to 〇 for cn2an.
CN_ZERO = str.maketrans({"○": "〇", "◯": "〇", "Ｏ": "〇", "O": "〇", "o": "〇", "０": "〇", "0": "〇"})
CN_YEAR = r"[〇○◯零ＯOo０0一二三四五六七八九]{4}"
CN_DATE = rf"({CN_YEAR})\s*年\s*([元正一二三四五六七八九十]{{1,3}})\s*月\s*([一二三四五六七八九十]{{1,4}})\s*[日号]"
# A line holding only a date (the signature's date line), in Arabic or Chinese numerals.
DATE_LINE = rf"(?:\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|{CN_DATE})"
