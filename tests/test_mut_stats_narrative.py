"""extract/stats/narrative.py helpers: numbers in words, and the sentence, clause and quote a figure is
shown with (the evidence a reader checks a number against).

The mutation run (scripts/mutation.sh stats-text) left these unpinned: 二十 read as 10 or 21, a heading
glued to the evidence sentence or a sentence cut at the wrong mark would pass every test.
"""

from __future__ import annotations

from extract.stats.narrative import _GLYPHS, Squeezed, _first, _int, _sentence_after, _sentence_before

TEXT = "一、总体情况\n概述\n本年度共收到政府信息公开申请\n12  件，其中自然人10件。全部按时办结。"


def test_numbers_in_words():
    assert _int("17") == 17
    assert _int("一") == 1 and _int("两") == 2 and _int("零") == 0
    assert _int("十") == 10 and _int("十二") == 12 and _int("二十") == 20 and _int("二十三") == 23
    assert _int("一〇") == 10 and _int("三五") == 35  # digit by digit


def test_first_keeps_integers_integers():
    assert _first("12.5") == 12.5
    assert _first("12") == 12 and isinstance(_first("12"), int)


def test_sentence_before_and_after():
    t = "甲。乙丙丁；戊"
    assert _sentence_before(t, 4) == "乙丙" and _sentence_before(t, 1) == "甲"
    assert _sentence_before(t, 7) == "戊"
    assert _sentence_after(t, 3) == "丙丁" and _sentence_after(t, 6) == "戊" and _sentence_after(t, 7) == ""
    assert _sentence_after(t, 2) == "乙丙丁"


def span(sq: Squeezed, words: str, length: int | None = None) -> tuple[int, int]:
    i = sq.text.find(words)
    return i, i + (len(words) if length is None else length)


def test_sentence_is_the_reports_own_words_without_its_headings():
    sq = Squeezed(TEXT)
    # two short heading lines before the sentence are not part of it; whitespace collapses to one space
    assert sq.sentence(*span(sq, "收到")) == "本年度共收到政府信息公开申请 12 件，其中自然人10件。"
    assert sq.sentence(*span(sq, "全部")) == "全部按时办结。"
    assert sq.sentence(*span(sq, "办结")) == "全部按时办结。"  # up to the end of the text


def test_sentence_at_the_start_of_the_text():
    sq = Squeezed("全年收到申请5件。其中自然人3件")
    assert sq.sentence(0, 2) == "全年收到申请5件。"
    assert sq.sentence(*span(sq, "自然人")) == "其中自然人3件"


def test_a_line_before_the_sentence_is_kept_when_long_or_when_it_runs_on():
    sq = Squeezed("本机关政府信息公开工作领导小组办公室：\n全年收到申请5件。")  # ends with a colon
    assert sq.sentence(*span(sq, "全年")) == "本机关政府信息公开工作领导小组办公室： 全年收到申请5件。"
    sq = Squeezed("本机关政府信息公开工作年度报告的正文如下\n全年收到申请5件。")  # twenty characters
    assert sq.sentence(*span(sq, "全年")) == "本机关政府信息公开工作年度报告的正文如下 全年收到申请5件。"
    sq = Squeezed("本机关政府信息公开工作年度报告正文如下\n全年收到申请5件。")  # nineteen: a heading
    assert sq.sentence(*span(sq, "全年")) == "全年收到申请5件。"
    sq = Squeezed("概述\n本机关政府信息公开工作领导小组办公室：\n全年收到申请5件。")
    assert sq.sentence(*span(sq, "全年")) == "本机关政府信息公开工作领导小组办公室： 全年收到申请5件。"


def test_clause_between_commas_and_stops():
    sq = Squeezed("全年收到申请5件，其中自然人3件,企业2件；均已办结")
    assert sq.clause(*span(sq, "自然人")) == "其中自然人3件"
    assert sq.clause(*span(sq, "企业")) == "企业2件"
    assert sq.clause(0, 2) == "全年收到申请5件"
    assert sq.clause(*span(sq, "办结")) == "均已办结"


def test_quote_is_the_printed_text():
    sq = Squeezed(TEXT)
    assert sq.quote(*span(sq, "申请12件")) == "申请\n12  件"
    assert sq.quote(3, 3) == "" and sq.quote(len(sq.text), len(sq.text)) == ""
    assert Squeezed("").quote(0, 1) == ""


def test_clause_and_sentence_of_a_match_inside_them():
    sq = Squeezed("全年收到申请5件，其中自然人3件")
    assert sq.clause(*span(sq, "收到")) == "全年收到申请5件"
    assert sq.sentence(*span(sq, "收到")) == "全年收到申请5件，其中自然人3件"
    sq = Squeezed("甲全年收到申请5件。乙")
    assert sq.clause(*span(sq, "收到")) == "甲全年收到申请5件"
    assert sq.sentence(*span(sq, "收到")) == "甲全年收到申请5件。"
    sq = Squeezed("全年收到申请55件。其余")
    assert sq.clause(*span(sq, "收到")) == "全年收到申请55件"
    assert sq.sentence(*span(sq, "收到")) == "全年收到申请55件。"


def test_squeezed_is_the_text_without_whitespace_character_by_character() -> None:
    """Squeezed finds the runs between whitespace with one regex; the same text and index as dropping each
    whitespace character (str.isspace, which is what \\s means, plus zero-width space and BOM) one at a time."""
    import random
    from pathlib import Path

    def by_character(text: str) -> tuple[str, list[int]]:
        keep = [(i, ch) for i, ch in enumerate(text) if not (ch.isspace() or ch in "\u200b\ufeff")]
        return "".join(ch for _, ch in keep), [i for i, _ in keep]

    rng = random.Random(12)
    alphabet = "政府信息公开 \t\n\r\u00a0\u3000\u200b\ufeff\u2003\x1c１２3。丌"
    seeds = sorted((Path(__file__).parent / "fixtures" / "seeds").glob("*.txt"))  # five real reports' text
    texts = ["", " ", "\u3000\u3000", "无空白", *(p.read_text(encoding="utf-8") for p in seeds)]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))) for _ in range(2000)]
    for text in texts:
        sq = Squeezed(text)
        squeezed, index = by_character(text)
        assert (sq.text, sq.index) == (squeezed.translate(_GLYPHS), index), repr(text)
