"""Each text repair fixes its defect and leaves clean text alone."""

from __future__ import annotations

from extract.repair import (
    collapse_fake_bold,
    fix_font_map,
    has_font_map_defect,
    join_broken_lines,
    normalize_chars,
    repair_text,
    strip_chrome,
    strip_page_numbers,
)

CLEAN = (
    "一、总体情况\n"
    "2021年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，不断加强领导。\n"
    "（一）主动公开\n"
    "全年主动公开政府信息56条，常常开展培训，哈哈哈。\n"
    "二、依申请公开情况\n"
    "收到申请0件。\n"
)


# ---------------------------------------------------------------- fake bold


def test_fake_bold_heading_collapses() -> None:
    assert collapse_fake_bold("一、一、一、一、加强组织领导加强组织领导加强组织领导加强组织领导") == "一、加强组织领导"
    assert collapse_fake_bold("（一）（一）（一）（一）优化优化优化优化平台建设平台建设平台建设平台建设") == "（一）优化平台建设"
    assert (
        collapse_fake_bold("（二）实行多渠道（二）实行多渠道（二）实行多渠道（二）实行多渠道主动公开主动公开主动公开主动公开")
        == "（二）实行多渠道主动公开"
    )
    assert collapse_fake_bold("一是一是一是一是成立了领导小组") == "一是成立了领导小组"
    assert collapse_fake_bold("三、下步工作要求。三、下步工作要求。三、下步工作要求。三、下步工作要求。") == "三、下步工作要求。"


def test_fake_bold_leaves_legit_repeats() -> None:
    for s in ["哈哈哈", "哈哈哈哈", "常常", "谢谢谢谢", "人人", "0\t0\t0\t0", "101010", "000000", "看看看看看看"]:
        assert collapse_fake_bold(s) == s, s
    assert collapse_fake_bold(CLEAN) == CLEAN


# ---------------------------------------------------------------- broken lines


WRAPPED = (
    "东西湖区住房和城乡建设局\n\n"
    "2019 年政府信息公开工作年度报告\n\n"
    "2019年以来，我局认真贯彻落实信息公开、发布相关文\n\n"
    "件精神，遵循依法、准确、及时、公正和便民的原则，推进\n\n"
    "行政决策、执行、管理、服务、结果公开，强力推进信息公\n\n"
    "开工作。\n\n"
    "一、加强组织领导\n\n"
    "一是成立了政府信息公开工作领导小组，各科站所均配\n\n"
    "有信息员，年初签订信息报送清单。二是完善了《政务信息\n\n"
    "公开制度》等信息公开制度，确保信息公开有章可循。三是严格执\n\n"
    "行对外发布信息三级审批制度。\n\n"
    "2020年 1月 14日\n"
)


def test_join_broken_lines() -> None:
    out = join_broken_lines(WRAPPED)
    lines = out.split("\n")
    assert "2019年以来，我局认真贯彻落实信息公开、发布相关文件精神，遵循依法" in out
    assert "各科站所均配有信息员" in out
    assert "东西湖区住房和城乡建设局" in lines  # short line = paragraph end
    assert "一、加强组织领导" in lines
    assert lines[-1] == "2020年 1月 14日"


def test_join_does_not_touch_paragraph_text_or_tables() -> None:
    assert join_broken_lines(CLEAN) == CLEAN
    table = "信息内容\t本年新制作数量\t本年新公开数量\n规章\t0\t0\n规范性文件\t0\t0\n"
    assert join_broken_lines(table, force=True).split("\n") == table.strip().split("\n")


def test_join_stops_before_headings() -> None:
    text = "局政务信息公开领导小组根据年度住房和城乡建设中心工作，结合\n（二）坚持责任到位\n"
    assert join_broken_lines(text, force=True).split("\n")[1] == "（二）坚持责任到位"


# ---------------------------------------------------------------- page numbers


def test_page_numbers() -> None:
    assert strip_page_numbers("正文\n- 2 -\n第 3 页\n正文", bare=False) == "正文\n正文"
    assert strip_page_numbers("正文\n1\n正文", bare=True) == "正文\n正文"
    # in an HTML / table dump a lone number is a value
    assert strip_page_numbers("四、结转下年度继续办理\n\n0\n", bare=False) == "四、结转下年度继续办理\n\n0\n"
    assert strip_page_numbers(WRAPPED.replace("开工作。", "开工作。\n\n12")).count("\n12\n") == 0


# ---------------------------------------------------------------- font map


DEFECT = (
    "我局在县政府办的挃导下，以此带劢全局工作。幵建立一把手领导亲自抓，确保有关工作顺利推迚。"
    "局政务信息公开领导小组丌断加强领导，坚持不其他工作同布置。有的帖子主要领导也参不回复。"
    "妥善处理公开不保密的关系，合理界定信息公开不否的范围。宣传力度仍然丌够，针对丌足，挄照要求，丌公开为例外。"
)


def test_font_map_fix() -> None:
    out = fix_font_map(DEFECT)
    for good in ["在县政府办的指导下", "带动全局工作", "并建立", "顺利推进", "不断加强领导", "坚持与其他工作",
                 "也参与回复", "公开与保密", "公开与否", "仍然不够", "针对不足", "按照要求", "不公开为例外"]:
        assert good in out, good
    for bad in "丌迚劢挃幵挄":
        assert bad not in out


def test_font_map_only_in_defective_documents() -> None:
    assert not has_font_map_defect(CLEAN)
    assert fix_font_map(CLEAN) == CLEAN
    clean_with_bu = "坚持不懈，公开不保密的信息不多，参不透。"  # no defect markers: untouched
    assert fix_font_map(clean_with_bu) == clean_with_bu


# ---------------------------------------------------------------- characters and chrome


def test_normalize_chars() -> None:
    assert normalize_chars("２０２０年ＡＢｃ") == "2020年ABc"
    assert normalize_chars("\u2f00\u2f08") == "一人"  # Kangxi radicals
    assert normalize_chars("\uf9dc") == "隆"  # CJK compatibility ideograph
    assert normalize_chars("a&nbsp;b\u3000c\xa0d") == "a b c d"
    assert normalize_chars("（一）主动公开：") == "（一）主动公开："  # full-width punctuation stays


def test_strip_chrome() -> None:
    page = (
        "您当前的位置:首页 > 信息公开 > 霍山县住建局 > 监督保障\n"
        "县住建局2020年政府信息公开工作年度总结\n"
        "浏览次数: 发表时间:2021-01-11 10:46 信息来源:霍山县住建局  字体:[  ]\n"
        "一、主动公开情况\n全年受理依申请公开1件。\n"
        "政策咨询\n如果您对该政策文件有疑问,可以拨打标题上方的电话咨询相关部门。\n"
        "【打印本页】 【关闭窗口】\n上一篇：某某通知\n扫一扫在手机打开当前页"
    )
    out = strip_chrome(page)
    assert out.split("\n") == ["县住建局2020年政府信息公开工作年度总结", "一、主动公开情况", "全年受理依申请公开1件。"]
    assert strip_chrome(CLEAN) == CLEAN


def test_repair_text_clean_report_unchanged() -> None:
    text, applied = repair_text(CLEAN)
    assert text == CLEAN.strip()
    assert applied == []


def test_fake_bold_doubled_glyphs() -> None:
    assert collapse_fake_bold("一一、、加加强强组组织织领领导导") == "一、加强组织领导"
    assert collapse_fake_bold("常常来看看") == "常常来看看"
