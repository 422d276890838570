"""Classes of mistakes found on the real-document corpus (tests/fixtures/real), each as a small case.

The cases quote or paraphrase the real documents' own sentences and layouts.
"""

from __future__ import annotations

import pytest

from extract import extract_bytes
from extract import meta as M
from extract.stats import analyze, text_tables


def numbers(text: str) -> tuple[dict, list[str]]:
    stats, flags = analyze(text, [], form=None, report_year=2019, document_date=None)
    return {s.key: s.value for s in stats}, flags


def test_a_running_total_is_not_this_years_proactive_count() -> None:
    got, _ = numbers("截至2019年12月底,累计主动公开政府信息10220条,其中政务动态信息更新量为4792条。")
    assert "core.proactive_items" not in got
    got, _ = numbers("2019年主动公开政府信息8769条。截至2019年底,累计主动公开政府信息64627条。")
    assert got["core.proactive_items"] == 8769


def test_the_total_that_sums_the_other_figures_is_taken() -> None:
    text = ("2017年全区主动公开政府信息2122条。其中，区管委会及区直各部门主动公开政府信息1509条，"
            "各乡镇主动公开政府信息613条。")
    got, flags = numbers(text)
    assert got["core.proactive_items"] == 2122
    assert not any("disagree" in f for f in flags)


@pytest.mark.parametrize(
    ("sentence", "n"),
    [("2024 年，我区在政府网站平台主动发布各类政府信息 2428 条。", 2428), ("我镇主动公开的信息共计85条。", 85)],
)
def test_proactive_phrasings(sentence: str, n: int) -> None:
    assert numbers(sentence)[0]["core.proactive_items"] == n


def test_fee_denial_with_an_object_before_the_verb() -> None:
    got, _ = numbers("2015年度,本单位没有向依申请公开对象收取复印、传真、递送等任何费用,也无减免情况。")
    assert got["core.fees_collected_yuan"] == 0


def test_the_unpaid_fee_row_label_is_not_a_fee_sentence() -> None:
    text = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\n本年度收取信息处理费共计500元。"
    assert numbers(text)[0]["core.fees_collected_yuan"] == 500


def test_table2_one_cell_per_line() -> None:
    text = "\n\n".join(
        ["第二十条第(一)项", "信息内容", "本年新制作数量", "本年新", "公开数量", "对外公开", "总数量",
         "规章", "0", "1", "2", "规范性文件", "3", "4", "5", "第二十条第(五)项"]
    )
    assert text_tables.vertical_grids(text) == [
        [["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "0", "1", "2"],
         ["规范性文件", "3", "4", "5"]]
    ]
    got, _ = numbers(text)
    assert got["proactive.rules.total_published"] == 2
    assert got["proactive.normative_docs.made"] == 3


def test_a_crawler_dump_header_gives_the_title_not_the_column() -> None:
    text = "标题: 关于2014年政府信息公开工作要点落实情况的函\n发布时间: 2014-12-10 00:00\n栏目: 政府信息公开年报\n正文"
    assert M.title_from_text(text) == "关于2014年政府信息公开工作要点落实情况的函"
    rec = extract_bytes((text + "\n共受理申请121510件。").encode("utf-8"), filename="a.txt")
    assert not rec.is_report
    assert rec.stats == []  # a look-alike's figures are nobody's report numbers


def test_title_run_into_the_first_paragraph_or_split_after_the_year() -> None:
    long_line = "清水县人民政府2019年 政府信息公开工作年度报告 一、总体情况 2019年,清水县政府信息公开工作以" + "习" * 80
    assert M.title_from_text(long_line) == "清水县人民政府2019年政府信息公开工作年度报告"
    assert M.title_from_text("宿州市人民政府2016年\n政府信息公开工作年度报告\n宿州市人民政府办公室") == (
        "宿州市人民政府2016年政府信息公开工作年度报告"
    )


def test_the_opening_sentence_names_the_agency() -> None:
    assert M.opening_agency("根据《条例》规定,现公布泰州市人民政府2017年政府信息公开工作年度报告。") == "泰州市人民政府"
    assert M.opening_agency("现编制并公布本单位2019年政府信息公开工作年度报告") is None
    text = ("索 引 号 | 014416330/2018-04736 |\n发布机构 | 市政府办 | 发文日期 | 2018-02-28 |\n"
            "根据《中华人民共和国政府信息公开条例》规定,现公布泰州市人民政府2017年政府信息公开工作年度报告。"
            "如对报告有疑问,请与泰州市人民政府办公室联系(地址:泰州市海陵区凤凰东路58号)。一、主要工作概述")
    rec = extract_bytes(text.encode("utf-8"), filename="a.txt")
    assert rec.agency == "泰州市人民政府"
    assert (rec.region.city, rec.region.county) == ("泰州市", None)


def test_short_name_of_an_autonomous_county() -> None:
    rec = extract_bytes(
        "镇宁自治县政府2019年信息公开工作年度报告\n一、总体情况\n二、主动公开情况\n三、依申请公开\n".encode(),
        filename="a.txt",
    )
    assert rec.region.adcode == "520423"


def test_legacy_statistics_table_markers() -> None:
    text = "六、政府信息公开情况统计表指标名称计量单位2017年度历年累计对申请的答复总数条00其中：1、同意公开答复数条00"
    assert M.detect_form(text, []) == "legacy_table"


GLUED = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
    "一、本年新收政府信息公开申请数量200 000121二、上年结转政府信息公开申请数量0000000"
    "三、本年度办理结果（一）予以公开6000017（二）部分公开（区分处理的，只计这一情形，不计其他情形）6000006"
    "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000"
    "（七）总计20 0 00 0 121四、结转下年度继续办理 0 0 00 00 0 "
    "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉"
    "复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计100010000000000"
    " 五、存在的主要问题及改进情况"
)


def test_table_cells_run_together_are_cut_where_the_rows_add_up() -> None:
    got, flags = numbers(GLUED)
    assert [got[f"requests.new.{c}"] for c in ("natural_person", "other_org", "total")] == [20, 1, 21]
    assert got["requests.granted.total"] == 7 and got["requests.granted.other_org"] == 1
    assert got["requests.denied_prohibited_by_law.total"] == 0  # '…00000002.其他…': the 2 is the next label's
    assert got["requests.handled_total.total"] == 21 and got["requests.carried_forward.total"] == 0
    assert (got["review.upheld"], got["review.total"], got["core.litigation_total"]) == (1, 1, 0)
    assert any("run together" in f for f in flags)


def test_digits_that_cut_more_than_one_way_are_not_read() -> None:
    from extract.stats import glued

    assert glued.split_digits("200000121", 7, glued._row_adds_up) == [20, 0, 0, 0, 0, 1, 21]
    assert glued.split_digits("1100011", 7, glued._row_adds_up) is None  # no cut adds up
    assert glued.split_digits("110000011", 7, glued._row_adds_up) is None  # 1|10|0|0|0|0|11 or 11|0|0|0|0|0|11
    got, flags = numbers(GLUED.replace("6000017", "110000011"))
    assert "requests.granted.total" not in got
    assert any("could not be cut one way only" in f for f in flags)


def test_a_category_of_proactive_items_is_not_their_number() -> None:
    got, _ = numbers("全年共公布政府信息2602条(其中机构职能类信息82条，其他应主动公开政府信息1053条)。")
    assert "core.proactive_items" not in got
