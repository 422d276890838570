"""Annual reports vs the look-alikes that sit next to them in report lists."""

from __future__ import annotations

import pytest

from extract.classify import classify
from extract.meta import detect_form, expand_abbreviations, parse_metadata_block, report_year, resolve_agency

REPORTS = [
    "河包镇2020年政府信息公开工作年度报告",
    "重庆市九龙坡区二郎街道办事处2022年政府信息公开工作年度报告",
    "大英县乡村振兴局2021年政府信息公开工作年度报告",
    "2022年上海市政府信息公开工作年度报告",
    "宿迁市2017年政府信息公开年度报告",
    "舒兰市市场监督管理局2016年政务信息公开年度报告",
    "宿州市人民政府2019年政府信息公开工作年度报告（图片版）",
    "宿州市人民政府2016年\n政府信息公开工作年度报告",
    "县住建局2020年政府信息公开工作年度总结",
    "长子县住建局 2019 年度政务信息公开 工作报告",
]
DECOYS = [
    ("蚌埠市2019年政务公开工作总结", "工作总结"),
    ("XX镇2020年度政务公开工作总结", "工作总结"),
    ("怀化市人民政府办公室关于认真做好2021年政府信息公开工作年度报告编制发布工作的通知", "通知"),
    ("国务院办公厅政府信息与政务公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知", "通知"),
    ("2022年上半年政府信息公开数据统计", "上半年"),
    ("某某镇政府信息公开统计制度", "统计制度"),
    ("南县住房和城乡建设局2018年度整体支出绩效评价报告", "绩效评价"),
    ("某某县政府信息公开指南", "指南"),
    ("某某县政府信息公开目录", "目录"),
]


@pytest.mark.parametrize("title", REPORTS)
def test_report_titles(title: str) -> None:
    ok, reason = classify(title, "")
    assert ok, reason


@pytest.mark.parametrize(("title", "kind"), DECOYS)
def test_decoy_titles(title: str, kind: str) -> None:
    ok, reason = classify(title, "一、主动公开情况\n二、依申请公开情况\n三、行政复议")
    assert not ok
    assert reason.startswith("not a report") and kind in reason


def test_untitled_document_judged_by_body() -> None:
    body = "某某县2020年政府信息公开工作年度报告\n一、总体情况\n二、主动公开政府信息情况\n三、依申请公开\n四、行政复议、行政诉讼"
    assert classify(None, body)[0]
    assert not classify(None, "关于做好2021年政府信息公开工作年度报告编制发布工作的通知\n各乡镇：")[0]
    assert not classify(None, "今天天气很好。")[0]


@pytest.mark.parametrize(
    ("title", "text", "agency", "department"),
    [
        ("江门市江海区住房和城乡建设局2020年度政府信息公开工作年度报告", "", "江海区住房和城乡建设局", "住房和城乡建设局"),
        ("县住建局2020年政府信息公开工作年度总结", "特编制霍山县住建局2020年", "霍山县住房和城乡建设局", "住房和城乡建设局"),
        ("河包镇2020年政府信息公开工作年度报告", "", "河包镇人民政府", "镇人民政府"),
        ("重庆市九龙坡区二郎街道办事处2022年政府信息公开工作年度报告", "", "九龙坡区二郎街道办事处", "街道办事处"),
        ("2022年上海市政府信息公开工作年度报告", "", "上海市人民政府", "人民政府"),
        ("大英县人社局2021年政府信息公开工作年度报告", "", "大英县人力资源和社会保障局", "人力资源和社会保障局"),
        ("高新区社会发展局2022年政府信息公开工作年度报告", "", "高新区社会发展局", "社会发展局"),
    ],
)
def test_resolve_agency(title: str, text: str, agency: str, department: str) -> None:
    got, _printed, dept, _names = resolve_agency(title, text)
    assert (got, dept) == (agency, department)


def test_abbreviations() -> None:
    assert expand_abbreviations("某县卫健委") == "某县卫生健康委员会"
    assert expand_abbreviations("某县发改局") == "某县发展和改革局"
    assert expand_abbreviations("某区市监局") == "某区市场监督管理局"
    assert expand_abbreviations("某县自然资源局") == "某县自然资源局"


def test_report_year_sources() -> None:
    assert report_year("２０２１年度政府信息公开工作年度报告", "") == 2021
    assert report_year("2022年上海市政府信息公开工作年度报告", "") == 2022
    assert report_year(None, "本报告统计期限自2021年1月1日起至2021年12月31日止。") == 2021
    assert report_year(None, "2017年，区住建局高度重视政府信息公开工作。") == 2017


def test_metadata_block() -> None:
    block = parse_metadata_block(
        "索 引 号\t014416330/2018-04736\t分 类\t政府信息公开年报\n"
        "发布机构\t市政府办\t发文日期\t2018-02-28\n"
        "成文日期：2017年05月15日 发布日期：2017年06月08日"
    )
    assert block["索引号"] == "014416330/2018-04736"
    assert block["发布机构"] == "市政府办"
    assert block["发文日期"] == "2018-02-28"
    assert block["成文日期"] == "2017-05-15"
    assert block["发布日期"] == "2017-06-08"
    tools = parse_metadata_block("浏览次数: 发表时间:2021-01-11 10:46 信息来源:霍山县住建局  字体:[  ]")
    assert tools["发布日期"] == "2021-01-11"
    assert tools["发布机构"] == "霍山县住建局"


def test_detect_form() -> None:
    assert detect_form("", [[["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]]]) == "form2021"
    assert detect_form("信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数", []) == "form2019"
    assert detect_form("统计指标\n单位\n统计数\n收到申请数", []) == "legacy_table"
    assert detect_form("全年受理依申请公开17条。", []) == "narrative"


def test_agency_fallbacks_when_title_names_none() -> None:
    from extract import extract_bytes
    from extract.record import SiteContext

    body = (
        "2020年政府信息公开工作年度报告\n一、总体情况\n全年主动公开政府信息10条。\n二、依申请公开情况\n"
        "收到申请0件。\n三、行政复议、行政诉讼情况\n无。\n\n江门市江海区住房和城乡建设局\n2021年1月21日\n"
    )
    rec = extract_bytes(body.encode(), filename="r.txt")
    assert rec.agency == "江海区住房和城乡建设局" and rec.region.adcode == "440704"
    assert rec.document_date == "2021-01-21"
    no_sig = body.replace("江门市江海区住房和城乡建设局\n", "")
    rec = extract_bytes(no_sig.encode(), filename="r.txt", context=SiteContext(name="长子县人民政府", adcode="140428"))
    assert rec.agency == "长子县人民政府" and rec.department == "人民政府"
    assert rec.region.county == "长子县"


def test_column_page_title_without_year_is_not_a_report() -> None:
    ok, reason = classify("政府信息公开年报", "2021年度报告\n2020年度报告\n更多")
    assert not ok and "column page" in reason
    assert classify("政府信息公开年报", "")[0]  # nothing else known: trust the title


def test_region_from_text_ignores_names_inside_words() -> None:
    from extract.gazetteer import counties_in_text

    names = [n for n, _ in counties_in_text("加强城中区域管理，规范江山市场秩序。霍山县住建局")]
    assert names == ["霍山县"]
