"""Gold of the real-document corpus (tests/fixtures/real/), as read by a person from each source.

Every value here was read from the document itself — the PDF's pages (rendered where the text layer
was unclear), the page text — never from ogi's output. Tables are written as they are printed
(`rows`: one list of seven numbers per row of table 三, in the form's column order), including a
report's own arithmetic slips (hongze 2023 prints 行政复议 总计 0 beside 维持 10 and 纠正 1).
`stats_complete` says the list holds every number the document states under a codebook key, so any
other number ogi emits for it counts as wrong.

    .venv/bin/python -m scripts.golden.real_gold     # rewrite tests/fixtures/real/expected/*.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "real" / "expected"

COLS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")
ROW_ORDER = (
    "new", "carried_over", "granted", "partial",
    "denied_state_secret", "denied_prohibited_by_law", "denied_security_stability", "denied_third_party",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_admin_query",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive",
    "rejected_confirmation",
)
PINGTAN = "changwu/pingtan-gov-zwgk-archive@12f00b4205da89f3fa531f747c608e88308a046c"
FUJIAN_PINGTAN = {"province": "福建省", "city": "福州市", "county": "平潭县", "adcode": "350128"}


def table3(rows: dict[str, list[int | float]]) -> dict[str, int | float]:
    out: dict[str, int | float] = {}
    for row, nums in rows.items():
        assert len(nums) == 7, row
        for col, n in zip(COLS, nums, strict=True):
            out[f"requests.{row}.{col}"] = n
    return out


def table4(review: list[int], direct: list[int], after: list[int]) -> dict[str, int]:
    out = {}
    for group, nums in (("review", review), ("litigation_direct", direct), ("litigation_after_review", after)):
        for m, n in zip(("upheld", "corrected", "other", "pending", "total"), nums, strict=True):
            out[f"{group}.{m}"] = n
    return out


def core_from(stats: dict[str, Any], rows: dict[str, list]) -> dict[str, Any]:
    """core.* as the codebook defines them from the table cells (sums of the printed totals)."""
    t = {r: v[6] for r, v in rows.items()}

    def total(prefix: str) -> int:
        return sum(v for r, v in t.items() if r.startswith(prefix))

    core = {
        "core.requests_new": t["new"], "core.requests_carried_over": t["carried_over"],
        "core.requests_granted": t["granted"], "core.requests_partial": t["partial"],
        "core.requests_denied": total("denied_"), "core.requests_unavailable": total("unavailable_"),
        "core.requests_rejected": total("rejected_"), "core.requests_other": t["other"],
        "core.requests_handled": t["handled_total"], "core.requests_carried_forward": t["carried_forward"],
        "core.review_total": stats["review.total"], "core.review_corrected": stats["review.corrected"],
        "core.litigation_total": stats["litigation_direct.total"] + stats["litigation_after_review.total"],
        "core.litigation_corrected": stats["litigation_direct.corrected"]
        + stats["litigation_after_review.corrected"],
    }
    return core


def form2021_doc(t2: dict[str, Any], rows: dict[str, list], t4: dict[str, int], extra: dict[str, Any]) -> dict:
    stats: dict[str, Any] = {}
    for (row, col), v in t2.items():
        stats[f"proactive.{row}.{col}"] = v
    stats.update(table3(rows))
    stats.update(t4)
    stats.update(core_from(stats, rows))
    stats.update(extra)
    return stats


def huaian_2024() -> dict:
    rows = {
        "new": [3001, 53, 0, 0, 61, 4, 3119], "carried_over": [34, 0, 0, 0, 0, 0, 34],
        "granted": [1288, 21, 0, 0, 50, 3, 1362], "partial": [447, 7, 0, 0, 0, 0, 454],
        "denied_state_secret": [2, 0, 0, 0, 0, 0, 2], "denied_prohibited_by_law": [30, 1, 0, 0, 0, 0, 31],
        "denied_security_stability": [5, 0, 0, 0, 0, 0, 5], "denied_third_party": [6, 0, 0, 0, 0, 0, 6],
        "denied_internal_affairs": [7, 1, 0, 0, 0, 0, 8], "denied_process_info": [12, 0, 0, 0, 0, 0, 12],
        "denied_enforcement_file": [9, 0, 0, 0, 0, 0, 9], "denied_admin_query": [105, 0, 0, 0, 0, 0, 105],
        "unavailable_not_held": [746, 12, 0, 0, 10, 1, 769],
        "unavailable_needs_creation": [11, 0, 0, 0, 0, 0, 11], "unavailable_unclear": [1, 0, 0, 0, 0, 0, 1],
        "rejected_petition": [56, 6, 0, 0, 0, 0, 62], "rejected_duplicate": [25, 0, 0, 0, 0, 0, 25],
        "rejected_publication": [0] * 7, "rejected_excessive": [0] * 7,
        "rejected_confirmation": [1, 0, 0, 0, 0, 0, 1],
        "other_no_correction": [67, 3, 0, 0, 1, 0, 71], "other_unpaid_fee": [6, 0, 0, 0, 0, 0, 6],
        "other_misc": [108, 2, 0, 0, 0, 0, 110],
        "other": [181, 5, 0, 0, 1, 0, 187],  # （六）其他处理 = the sum of its three printed sub-rows
        "handled_total": [2932, 53, 0, 0, 61, 4, 3050], "carried_forward": [103, 0, 0, 0, 0, 0, 103],
    }
    t2 = {("rules", "issued"): 1, ("rules", "repealed"): 0, ("rules", "in_force"): 11,
          ("normative_docs", "issued"): 8, ("normative_docs", "repealed"): 26, ("normative_docs", "in_force"): 66,
          ("licensing", "decisions"): 447228, ("penalty", "decisions"): 3985758,
          ("coercion", "decisions"): 88283, ("fees", "amount_10k_yuan"): 96171.6}
    t4 = table4([72, 64, 178, 37, 351], [13, 4, 8, 1, 26], [12, 1, 1, 6, 20])
    # 主动公开各类政府信息 5500 余条: not an exact count, not coded
    return form2021_doc(t2, rows, t4, {"core.fees_collected_yuan": 3940})


def hongze(year: int) -> dict:
    z = [0] * 7
    if year == 2023:
        r = {"new": 21, "granted": 0, "partial": 4, "denied_state_secret": 1, "denied_process_info": 1,
             "denied_enforcement_file": 1, "unavailable_not_held": 10, "unavailable_needs_creation": 3,
             "rejected_petition": 1, "handled_total": 21}
        t2 = {("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
              ("normative_docs", "issued"): 0, ("normative_docs", "repealed"): 5,
              ("normative_docs", "in_force"): 5, ("licensing", "decisions"): 550,
              ("penalty", "decisions"): 4119, ("coercion", "decisions"): 195, ("fees", "amount_10k_yuan"): 7730.28}
        # printed as is: 维持 10, 纠正 1, 总计 0; 复议后起诉 维持 5, 总计 0
        t4 = table4([10, 1, 0, 0, 0], [0, 0, 0, 0, 0], [5, 0, 0, 0, 0])
        extra = {"core.fees_collected_yuan": 0, "core.proactive_items": 1136}
    else:
        r = {"new": 95, "granted": 50, "partial": 9, "denied_security_stability": 1, "denied_process_info": 1,
             "denied_enforcement_file": 1, "unavailable_not_held": 31, "unavailable_needs_creation": 1,
             "rejected_petition": 1, "handled_total": 95}
        t2 = {("rules", "issued"): 0, ("rules", "repealed"): 0, ("rules", "in_force"): 0,
              ("normative_docs", "issued"): 3, ("normative_docs", "repealed"): 0,
              ("normative_docs", "in_force"): 8, ("licensing", "decisions"): 9487,
              ("penalty", "decisions"): 2776, ("coercion", "decisions"): 84, ("fees", "amount_10k_yuan"): 7545}
        t4 = table4([1, 1, 0, 0, 2], [1, 0, 0, 0, 1], [2, 0, 1, 0, 3])
        # 主动发布各类政府信息 2428 条; the sentence 受理政府信息公开申请 17 件 (区政府办 only) disagrees
        # with table 三's 95 and is not coded
        extra = {"core.fees_collected_yuan": 0, "core.proactive_items": 2428}
    rows = {k: [r.get(k, 0), 0, 0, 0, 0, 0, r.get(k, 0)] for k in ROW_ORDER}
    rows["other"] = z  # （六）其他处理 printed as one row of zeros, without sub-rows
    rows["handled_total"] = [r["handled_total"], 0, 0, 0, 0, 0, r["handled_total"]]
    rows["carried_forward"] = z
    return form2021_doc(t2, rows, t4, extra)


def pingtan_2020() -> dict:
    """A crawler's text dump whose table cells are run together: `（一）予以公开6000017`. Each row has
    seven cells; where a row's digits are as many as its cells they read one per cell, and the two
    longer runs (200 000121, 20 0 00 0 121) read 20|0|0|0|0|1|21 — the only reading in which the
    applicant columns add up to the total, as the sentence 共受理政府信息公开申请21件 confirms."""
    z = [0] * 7
    rows = {k: z for k in ROW_ORDER}
    rows.update({
        "new": [20, 0, 0, 0, 0, 1, 21], "granted": [6, 0, 0, 0, 0, 1, 7], "partial": [6, 0, 0, 0, 0, 0, 6],
        "unavailable_not_held": [4, 0, 0, 0, 0, 0, 4], "unavailable_unclear": [3, 0, 0, 0, 0, 0, 3],
        "rejected_duplicate": [3, 0, 0, 0, 0, 0, 3], "other": [4, 0, 0, 0, 0, 0, 4],
        "handled_total": [20, 0, 0, 0, 0, 1, 21], "carried_forward": z,
    })  # as printed: the outcomes (27) do not add up to the total handled (21)
    stats: dict[str, Any] = {"proactive.rules.made": 0, "proactive.rules.published": 0,
                             "proactive.rules.total_published": 7}  # 规章007; the other rows are ambiguous
    stats.update(table3(rows))
    stats.update(table4([0] * 5, [0] * 5, [0] * 5))
    stats.update(core_from(stats, rows))
    stats["core.proactive_items"] = 2602  # 共公布政府信息2602条 (其他应主动公开政府信息1053条 is one category)
    return stats


DOCS: dict[str, dict[str, Any]] = {
    "js_huaian_2024": {
        "file": "pdf/js_huaian_2024.pdf", "source": "github zxj6827111-blip/govnianbao@b2fbe3f5b912be2379852eac907e85657da8f238 szfgs2024.pdf",
        "is_report": True, "agency": "淮安市人民政府", "report_year": 2024, "form": "form2021",
        "region": {"province": "江苏省", "city": "淮安市", "county": None, "adcode": "320800"},
        "stats": huaian_2024(), "stats_complete": True,
    },
    "js_hongze_2023": {
        "file": "pdf/js_hongze_2023.pdf",
        "source": "github zxj6827111-blip/KIROGOVCOMPARE@011c608ab09e717d7a753e0534f1379a8a86100f sample_pdfs_v1/hzq2023_working.pdf",
        "is_report": True, "agency": "洪泽区人民政府", "report_year": 2023, "form": "form2021",
        "region": {"province": "江苏省", "city": "淮安市", "county": "洪泽区", "adcode": "320813"},
        "stats": hongze(2023), "stats_complete": True,
    },
    "js_hongze_2024": {
        "file": "pdf/js_hongze_2024.pdf",
        "source": "github zxj6827111-blip/KIROGOVCOMPARE@011c608ab09e717d7a753e0534f1379a8a86100f sample_pdfs_v1/hzq2024_working.pdf",
        "is_report": True, "agency": "洪泽区人民政府", "report_year": 2024, "form": "form2021",
        "region": {"province": "江苏省", "city": "淮安市", "county": "洪泽区", "adcode": "320813"},
        "stats": hongze(2024), "stats_complete": True,
    },
    "decoy_sh_putuo_fuliyuan_budget_2024": {
        "file": "pdf/decoy_sh_putuo_fuliyuan_budget_2024.pdf",
        "source": "github zxj6827111-blip/tianbaoxitong@c3c10a3fc4dd73a07f65c61ec9d6ca358796b812 uploads/archives/1769321942920-969924351.pdf",
        "is_report": False, "stats": {}, "stats_complete": True,  # 上海市普陀区社会福利院2024年单位预算
    },
    "decoy_sh_putuo_wanli_budget_2024": {
        "file": "pdf/decoy_sh_putuo_wanli_budget_2024.pdf",
        "source": "github zxj6827111-blip/tianbaoxitong@c3c10a3fc4dd73a07f65c61ec9d6ca358796b812 uploads/archives/1769438736627-418301796.pdf",
        "is_report": False, "stats": {}, "stats_complete": True,  # 上海市普陀区2024年区级部门预算 (万里街道)
    },
    "fj_pingtan_2014_han": {
        "file": "docs/fj_pingtan_2014_han.txt",
        "source": f"github {PINGTAN} pingtan/zwgk/zfxxgk/zfxxgknb/201412/80787_关于2014年政府信息公开工作要点落实情况的函/page.txt",
        "is_report": False, "stats": {}, "stats_complete": True,
    },
    "fj_pingtan_dishui_2013": {
        "file": "docs/fj_pingtan_dishui_2013.txt",
        "source": f"github {PINGTAN} pingtan/zwgk/zfxxgk/zfxxgknb/201402/80774_平潭综合实验区地方税务局2013年信息公开年度报告/page.txt",
        "is_report": True, "agency": "平潭综合实验区地方税务局", "report_year": 2013, "form": "narrative",
        "region": FUJIAN_PINGTAN,
        "stats": {"core.proactive_items": 45, "core.requests_new": 0, "core.review_total": 0},
        "stats_complete": True,
    },
    "fj_pingtan_2017": {
        "file": "docs/fj_pingtan_2017.txt",
        "source": f"github {PINGTAN} pingtan/zwgk/zfxxgk/zfxxgknb/201801/80506_平潭综合实验区2017年度政府信息公开工作年度报告/page.txt",
        "is_report": True, "report_year": 2017, "form": "legacy_table", "region": FUJIAN_PINGTAN,
        # the 统计表 is flattened with its two number columns glued together (主动公开文件数条212210037 =
        # 2122 this year, 10037 in all); only what the sentences and the table agree on is coded
        "stats": {"core.proactive_items": 2122, "core.requests_new": 0, "core.review_total": 0,
                  "core.litigation_total": 0},
        "stats_complete": False,
    },
    "fj_pingtan_2020": {
        "file": "docs/fj_pingtan_2020.txt",
        "source": f"github {PINGTAN} pingtan/zwgk/zfxxgk/zfxxgknb/202103/80595_平潭综合实验区2020年度政府信息公开工作年度报告/page.txt",
        "is_report": True, "report_year": 2020, "form": "form2019", "region": FUJIAN_PINGTAN,
        "stats": pingtan_2020(), "stats_complete": True,
    },
    "gs_qingshui_2019": {
        "file": "docs/gs_qingshui_2019.txt", "source": "pages http://www.tsqs.gov.cn/info/1082/16404.htm",
        "is_report": True, "agency": "清水县人民政府", "report_year": 2019,
        "region": {"province": "甘肃省", "city": "天水市", "county": "清水县", "adcode": "620521"},
        # 受理各类服务事项144350件 (service hall) and 累计主动公开64627条 (all years) are not coded
        "stats": {"core.proactive_items": 8769}, "stats_complete": True,
    },
    "hn_suining_2019": {
        "file": "docs/hn_suining_2019.txt",
        "source": "pages https://hnsn.gov.cn/hnsn/xxgknb/202003/a4bb87543c1e4b338043a3a361386fd9.shtml",
        "is_report": True, "agency": "绥宁县人民政府", "report_year": 2019,
        "region": {"province": "湖南省", "city": "邵阳市", "county": "绥宁县", "adcode": "430527"},
        # 截至12月底累计主动公开10220条 is a running total; 自然人办件量108101件 is the service hall's
        "stats": {}, "stats_complete": True,
    },
    "ah_suzhou_2016": {
        "file": "docs/ah_suzhou_2016.txt", "source": "pages https://lfrdys.com/html/26555735905575.html",
        "is_report": True, "agency": "宿州市人民政府", "report_year": 2016,
        "region": {"province": "安徽省", "city": "宿州市", "county": None, "adcode": "341300"},
        "stats": {}, "stats_complete": True,
    },
    "fj_nanping_2012": {
        "file": "docs/fj_nanping_2012.txt",
        "source": "pages https://www.np.gov.cn/cms/html/npszf/2013-01-25/1779102018.html",
        "is_report": True, "report_year": 2012, "stats": {}, "stats_complete": True,
    },
    "fj_jinan_2016": {
        "file": "docs/fj_jinan_2016.txt",
        "source": "pages http://www.fzja.gov.cn/xjwz/zwgk/zfxxgk/zfxxgknb/201707/t20170721_1341809.htm",
        "is_report": True, "agency": "晋安区人民政府", "report_year": 2016,
        "region": {"province": "福建省", "city": "福州市", "county": "晋安区", "adcode": "350111"},
        "stats": {}, "stats_complete": True,
    },
    "js_taizhou_2017": {
        "file": "docs/js_taizhou_2017.txt", "source": "pages https://zwinkt.com/zwgk/art/2018/2/28/art_46355_1634538",
        "is_report": True, "agency": "泰州市人民政府", "report_year": 2017, "published_at": "2018-02-28",
        "region": {"province": "江苏省", "city": "泰州市", "county": None, "adcode": "321200"},
        "stats": {}, "stats_complete": True,
    },
    "gz_zhenning_2019": {
        "file": "docs/gz_zhenning_2019.txt",
        "source": "pages https://www.anshun.gov.cn/zfxxgk/zfxxgknb/2019year/202002/t20200221_50478366.html",
        "is_report": True, "report_year": 2019,
        "region": {"province": "贵州省", "city": "安顺市", "county": "镇宁布依族苗族自治县", "adcode": "520423"},
        "stats": {}, "stats_complete": True,
    },
    "zj_longyou_dajie_2019": {
        "file": "docs/zj_longyou_dajie_2019.txt",
        "source": "pages http://www.longyou.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=01251010-066&fbtime=2019",
        "is_report": True, "report_year": 2019,
        "region": {"province": "浙江省", "city": "衢州市", "county": "龙游县", "adcode": "330825"},
        "stats": {}, "stats_complete": True,
    },
    "zj_yongjia_tongji_2015": {
        "file": "docs/zj_yongjia_tongji_2015.txt",
        "source": "pages https://www.yj.gov.cn/module/xxgk/xxgkAnnualReport.jsp?fbtime=2015&area=001008003014021",
        "is_report": True, "agency": "永嘉县统计局", "report_year": 2015,
        "region": {"province": "浙江省", "city": "温州市", "county": "永嘉县", "adcode": "330324"},
        "stats": {"core.proactive_items": 339, "core.requests_new": 0, "core.fees_collected_yuan": 0},
        "stats_complete": True,
    },
    "fj_longtian_2021": {
        "file": "docs/fj_longtian_2021.txt",
        "source": "pages https://www.qdncg.gov.cn/zwgk/zfxxgk/zfxxgknb/2021n/202202/t20220218_85109283.html",
        "is_report": True, "agency": "龙田镇人民政府", "report_year": 2021, "form": "form2019",
        # one cell per line; the excerpt ends inside table 二
        "stats": {"proactive.rules.made": 0, "proactive.rules.published": 0, "proactive.rules.total_published": 0,
                  "proactive.normative_docs.made": 0, "proactive.normative_docs.published": 0,
                  "proactive.normative_docs.total_published": 0, "proactive.licensing.prev_items": 0,
                  "proactive.licensing.change": 0, "proactive.licensing.decisions": 0, "core.requests_new": 0},
        "stats_complete": True,
    },
    "sn_pingli_zhengyang_2021": {
        "file": "docs/sn_pingli_zhengyang_2021.txt", "source": "pages https://www.pingli.gov.cn/Content-2361064.html",
        "is_report": True, "agency": "平利县正阳镇人民政府", "report_year": 2021, "form": "form2019",
        "region": {"province": "陕西省", "city": "安康市", "county": "平利县", "adcode": "610926"},
        "stats": {"proactive.rules.made": 0, "proactive.rules.published": 0, "proactive.rules.total_published": 0,
                  "proactive.normative_docs.made": 0, "proactive.normative_docs.published": 0,
                  "proactive.normative_docs.total_published": 0},
        "stats_complete": True,
    },
    "sn_fuxian_zhangjiawan_2021": {
        "file": "docs/sn_fuxian_zhangjiawan_2021.txt",
        "source": "pages http://www.fuxian.gov.cn/zfxxgk/zfxxgknb/xz/2021/1571424084523327490.html",
        "is_report": True, "agency": "张家湾镇人民政府", "report_year": 2021,
        "stats": {"core.requests_new": 0}, "stats_complete": True,
    },
    "sd_zoucheng_tianhuang_2021": {
        "file": "docs/sd_zoucheng_tianhuang_2021.txt",
        "source": "pages http://www.zoucheng.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=113708830043262784&fbtime=2021",
        # it calls itself 《田黄镇2020年…报告》 but its statistics period and body are 2021
        "is_report": True, "report_year": 2021,
        "region": {"province": "山东省", "city": "济宁市", "county": "邹城市", "adcode": "370883"},
        "stats": {}, "stats_complete": False,
    },
    "sh_shanghai_2022": {
        "file": "docs/sh_shanghai_2022.txt",
        "source": "pages https://shanghai.gov.cn/nw12344/20230331/4a03b5fa47ae4c73b7ec42801de6be66.html",
        "is_report": True, "agency": "上海市人民政府", "report_year": 2022,
        "region": {"province": "上海市", "city": None, "county": None, "adcode": "310000"},
        "stats": {}, "stats_complete": True,
    },
    "sn_wuqi_zhouwan_2021": {
        "file": "docs/sn_wuqi_zhouwan_2021.txt",
        "source": "pages http://wqx.gov.cn/zfxxgk/zfxxgknb/zj/2021n/1533676551588134914.html",
        "is_report": True, "agency": "周湾镇人民政府", "report_year": 2021,
        "stats": {"core.proactive_items": 85}, "stats_complete": True,
    },
    "decoy_pinggu_fanwen": {
        "file": "docs/decoy_pinggu_fanwen.txt", "source": "pages https://m.pinggu.org/bbs/thread-15273420-1-1.html",
        "is_report": False, "stats": {}, "stats_complete": True,
    },
    "decoy_ningguo_geshi": {
        "file": "docs/decoy_ningguo_geshi.txt",
        "source": "pages https://275167.com/OpennessContent/download/2277958.html",
        "is_report": False, "stats": {}, "stats_complete": True,
    },
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, doc in DOCS.items():
        (OUT / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(DOCS)} expected files written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
