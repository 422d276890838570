"""Metadata classes seen on real documents (issue 11): agency labels and abbreviations, functional
zones outside GB/T 2260, and look-alikes / title-less openings in the classification."""

from __future__ import annotations

import pytest

from extract import extract_bytes
from extract.classify import classify
from extract.meta import clean_title, resolve_agency_name


def from_html(title: str, body: str):
    html = f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><div>{body}</div></body></html>"
    return extract_bytes(html.encode("utf-8"), url="https://example.gov.cn/a/t20210120_1.html")


BODY = (
    "<p>一、总体情况</p><p>2020年，我委认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息。</p>"
    "<p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p>"
)


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("标题: 霍山县住建局2020年政府信息公开工作年度报告", "霍山县住建局2020年政府信息公开工作年度报告"),
        ("# 霍山县住建局2020年政府信息公开工作年度报告", "霍山县住建局2020年政府信息公开工作年度报告"),
        ("标题：## 霍山县2020年政府信息公开工作年度报告", "霍山县2020年政府信息公开工作年度报告"),
    ],
)
def test_title_labels_are_not_part_of_the_title(title: str, cleaned: str) -> None:
    assert clean_title(title) == cleaned


def test_crawler_title_label_does_not_reach_the_agency() -> None:
    rec = from_html("标题: 霍山县住建局2020年政府信息公开工作年度报告", BODY)
    assert rec.agency == "霍山县住房和城乡建设局"


def test_a_bare_name_takes_the_site_county_once() -> None:
    """A name that starts with 县/区/市 and names no division takes the site's county in place of that character;
    one that already starts with the county (the gazetteer's placeholder 市辖区, which names no division) keeps it.
    (The crawl benchmark's sites named after 市辖区 were stored as 市辖区辖区教育局.)"""
    from extract.record import SiteContext

    placeholder = SiteContext(name="市辖区人民政府", province="河北省", city="石家庄市", county="市辖区", adcode="130101")
    assert resolve_agency_name("市辖区教育局", "", placeholder)[:2] == ("市辖区教育局", "市辖区教育局")
    huoshan = SiteContext(name="霍山县人民政府", province="安徽省", city="六安市", county="霍山县", adcode="341525")
    assert resolve_agency_name("县教育局", "", huoshan)[0] == "霍山县教育局"


def test_a_column_is_not_an_agency() -> None:
    assert resolve_agency_name("年度报告栏目", "")[0] is None
    assert resolve_agency_name("本网", "")[0] is None


def test_abbreviation_resolves_to_the_full_name_printed_in_the_document() -> None:
    text = "上海市科学技术委员会2020年政府信息公开工作年度报告。上海市科学技术委员会办公室"
    agency, printed, _dept, _names = resolve_agency_name("上海市科委", text)
    assert agency == "上海市科学技术委员会"
    assert printed == "上海市科委"
    agency, *_ = resolve_agency_name("上海市科委", "正文没有写出全称")
    assert agency == "上海市科委"  # not printed in full anywhere: kept as printed, never invented


@pytest.mark.parametrize(
    ("agency", "province", "city", "county"),
    [
        ("平潭综合实验区管委会", "福建省", "福州市", "平潭县"),
        ("合肥高新技术产业开发区管委会", "安徽省", "合肥市", None),
        ("长沙经济技术开发区管理委员会", "湖南省", "长沙市", None),
        ("两江新区管委会", "重庆市", None, None),
    ],
)
def test_functional_zones_take_their_host_division(agency: str, province: str, city, county) -> None:
    rec = from_html(f"{agency}2020年政府信息公开工作年度报告", BODY.replace("我委", agency))
    assert rec.region.province == province
    if city:
        assert rec.region.city == city
    assert rec.region.county == county
    assert rec.is_report


def test_full_zone_name_printed_in_the_body() -> None:
    rec = from_html("平潭综合实验区管委会2020年政府信息公开工作年度报告", BODY + "<p>平潭综合实验区管理委员会</p>")
    assert rec.agency == "平潭综合实验区管理委员会"


@pytest.mark.parametrize(
    "title",
    [
        "关于2020年政务公开工作要点落实情况的函（一）",
        "2020年政府信息公开工作要点落实情况报告",
        "2021年政府信息公开工作年度报告范文",
        "政府信息公开工作年度报告怎么写（附模板）",
        "某县政府信息公开工作年度报告制度（试行）",
    ],
)
def test_look_alikes_are_not_reports(title: str) -> None:
    is_report, reason = classify(title, BODY)
    assert not is_report, reason


OPENING = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
    "要求编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
    "本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。如对本报告有疑问，请与本机关联系。"
)


def test_report_opening_without_title_is_a_report() -> None:
    assert classify(None, OPENING)[0]


@pytest.mark.parametrize(
    "text",
    [
        "各乡镇、各部门：现将2020年政府信息公开工作年度报告编制工作有关事项通知如下。" + OPENING,
        "第一条 为规范政府信息公开工作年度报告的编制和发布，制定本制度。第二条 本报告根据条例编制。",
    ],
)
def test_notice_or_rule_text_without_title_is_not_a_report(text: str) -> None:
    assert not classify(None, text)[0]
