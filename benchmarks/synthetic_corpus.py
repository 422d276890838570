"""Deterministic synthetic corpus of annual reports for the search benchmark.

Why synthetic: the benchmark must show how search behaves at 100,000 reports, far
more than any crawl we have, with text that looks like the real thing to the
tokenizer (CJK runs broken by punctuation, numbers and table rows). Sentences come
from the five seed reports (tests/fixtures/seeds) with their place names replaced; the
section headings and table labels are those of the official formats
(shared/docs/site-patterns.md §6); agencies are real counties from cpca's
adcodes.csv combined with real department names; a list of topic phrases is drawn
with Zipf weights so that some words are common and some rare. Same seed, same corpus.
"""

from __future__ import annotations

import csv
import logging
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cpca

logger = logging.getLogger(__name__)

DEFAULT_SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"
YEARS = range(2008, 2025)

# Department (short name as stored in reports.department, full name ending the agency name).
DEPARTMENTS: list[tuple[str, str]] = [
    ("人民政府", "人民政府"), ("人民政府", "人民政府办公室"), ("住建", "住房和城乡建设局"),
    ("教育", "教育局"), ("财政", "财政局"), ("公安", "公安局"), ("民政", "民政局"),
    ("人社", "人力资源和社会保障局"), ("自然资源", "自然资源局"), ("生态环境", "生态环境分局"),
    ("交通", "交通运输局"), ("水利", "水利局"), ("农业农村", "农业农村局"), ("商务", "商务局"),
    ("文旅", "文化和旅游局"), ("卫健", "卫生健康委员会"), ("应急", "应急管理局"),
    ("市场监管", "市场监督管理局"), ("司法", "司法局"), ("统计", "统计局"), ("医保", "医疗保障局"),
    ("审计", "审计局"), ("发改", "发展和改革局"), ("退役军人", "退役军人事务局"), ("林业", "林业局"),
    ("城管", "城市管理局"), ("信访", "信访局"), ("税务", "税务局"), ("科技", "科学技术局"),
    ("工信", "工业和信息化局"),
]

SECTIONS_2021 = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                 "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
SECTIONS_2019 = SECTIONS_2021[:4] + ["五、政府信息公开工作存在的主要问题及改进情况", "六、其他需要报告的事项"]
SECTIONS_LEGACY = ["一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况", "四、政府信息公开的收费及减免情况",
                   "五、因政府信息公开申请行政复议和提起行政诉讼的情况", "六、政府信息公开工作存在的主要问题及改进措施",
                   "七、需要说明的事项与附表"]
SUBHEADS = ["（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）政府信息公开平台建设", "（五）监督保障",
            "（六）教育培训"]

TABLE2_2021 = ["第二十条第（一）项", "信息内容 本年制发件数 本年废止件数 现行有效件数", "规章", "行政规范性文件",
               "第二十条第（五）项", "信息内容 本年处理决定数量", "行政许可", "第二十条第（六）项",
               "信息内容 本年处理决定数量", "行政处罚", "行政强制", "第二十条第（八）项",
               "信息内容 本年收费金额（单位：万元）", "行政事业性收费"]
TABLE2_2019 = ["第二十条第（一）项", "信息内容 本年新制作数量 本年新公开数量 对外公开总数量", "规章", "规范性文件",
               "第二十条第（五）项", "信息内容 上一年项目数量 本年增/减 处理决定数量", "行政许可", "其他对外管理服务事项",
               "第二十条第（六）项", "行政处罚", "行政强制", "第二十条第（八）项", "行政事业性收费",
               "第二十条第（九）项", "信息内容 采购项目数量 采购总金额", "政府集中采购"]
TABLE3 = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况", "自然人",
          "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他",
          "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果", "（一）予以公开",
          "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（三）不予公开", "1.属于国家秘密",
          "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息",
          "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项", "（四）无法提供",
          "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确", "（五）不予处理",
          "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
          "5.要求行政机关确认或重新出具已获取信息", "（六）其他处理",
          "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
          "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他", "（七）总计",
          "四、结转下年度继续办理"]
TABLE4 = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"]
TABLE_LEGACY = ["一、主动公开情况", "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） 条",
                "其中：主动公开规范性文件数 条", "制发规范性文件总数 件", "1.政府公报公开政府信息数",
                "2.政府网站公开政府信息数", "3.政务微博公开政府信息数", "4.政务微信公开政府信息数",
                "二、回应解读情况", "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次） 次",
                "1.参加或举办新闻发布会总次数", "2.政府网站在线访谈次数", "3.政策解读稿件发布数 篇",
                "三、依申请公开情况", "（一）收到申请数 件", "1.当面申请数", "2.传真申请数", "3.网络申请数", "4.信函申请数",
                "（二）申请办结数", "1.按时办结数", "2.延期办结数", "（三）申请答复数", "1.属于已主动公开范围数",
                "2.同意公开答复数", "3.同意部分公开答复数", "4.不同意公开答复数", "5.不属于本行政机关公开数",
                "6.申请信息不存在数", "7.告知作出更改补充数", "8.告知通过其他途径办理数", "四、行政复议数量",
                "（一）维持具体行政行为数", "（二）被依法纠错数", "（三）其他情形数", "五、行政诉讼数量",
                "六、举报投诉数量", "七、依申请公开信息收取的费用 万元", "八、机构建设和保障经费情况",
                "（三）从事政府信息公开工作人员数", "九、政府信息公开会议和培训情况", "（二）举办各类培训班数",
                "（三）接受培训人员数 人次"]

# Work topics of county agencies: drawn with Zipf weights, so the first are in many reports, the last in few.
TOPICS = ["疫情防控", "乡村振兴", "脱贫攻坚", "营商环境", "重点项目", "棚户区改造", "农村危房改造", "老旧小区改造",
          "义务教育", "医疗保障", "养老服务", "安全生产", "生态环境保护", "河长制", "扫黑除恶", "双随机一公开",
          "放管服改革", "一网通办", "最多跑一次", "减税降费", "民生实事", "人大代表建议", "政协委员提案",
          "预算决算", "三公经费", "行政权力清单", "责任清单", "财政资金直达", "就业创业", "社会救助", "低保",
          "特困供养", "残疾人补贴", "高龄津贴", "城乡居民医保", "家庭医生签约", "森林防火", "防汛抗旱",
          "地质灾害防治", "秸秆禁烧", "大气污染防治", "黑臭水体", "垃圾分类", "厕所革命", "农田水利",
          "高标准农田", "土地征收", "集体林权", "宅基地", "不动产登记", "食品安全", "药品监管", "特种设备",
          "价格监测", "消费维权", "法律援助", "人民调解", "社区矫正", "普法宣传", "退役军人优抚", "双拥共建",
          "文物保护", "非遗传承", "全民健身", "旅游景区", "招商引资", "园区建设", "工业互联网", "数字政府",
          "政务新媒体", "网站集约化", "适老化改造", "无障碍建设", "信用体系", "公共资源交易", "政府采购",
          "国有资产", "审计整改", "统计调查", "人口普查", "经济普查", "农业普查", "污染源普查", "林长制",
          "田长制", "冬季供暖", "燃气安全", "自建房排查", "电动自行车", "城乡供水", "农村公路", "客运班线",
          "校车安全", "学前教育", "职业教育", "控辍保学", "营养改善计划", "移民搬迁", "易地扶贫", "光伏扶贫",
          "消费帮扶", "东西部协作", "对口支援", "民族团结", "宗教事务", "侨务工作", "档案管理", "保密审查"]

# Nouns and verbs that make up rarely used sentences (rare bigrams, like the long tail of real text).
_FILLER_CHARS = ("局县区镇村组队站所科室股办委会厅处院校馆场园站点项款费税金价量率数件次条户人名家个座"
                 "建修改造扩治管查督办理审核批报送收发转录编制定订实施推进落实开展组织加强完善健全规范优化提升"
                 "保障服务监测检测巡查排查整治清理核查统计调查评估考核验收公示公告发布通报解读回应答复咨询"
                 "水电气路桥房屋田林山河湖库渠堤坝井塘沟街巷院楼厂矿企商店市集车船站港仓")

_NUM_RE = re.compile(r"\d+")
_YEAR_RE = re.compile(r"(?:19|20)\d\d(?=\s*年)")
_WS_RE = re.compile(r"[ \t\u3000]+")


@dataclass(frozen=True)
class County:
    adcode: str  # 6 digits
    province: str
    city: str
    county: str


@dataclass
class SynthReport:
    """One report row, with the columns search and its filters read."""

    agency: str
    agency_as_printed: str
    department: str
    province: str
    city: str
    county: str
    adcode: str
    report_year: int
    title: str
    form: str
    source_url: str
    text: str


def load_counties() -> list[County]:
    """County-level divisions of cpca's adcodes.csv with their province and city names."""
    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    names: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names[row["adcode"][:6]] = row["name"]
    out = []
    for code, name in sorted(names.items()):
        if code[4:6] == "00" or code[2:4] == "00":
            continue
        province = names.get(code[:2] + "0000")
        city = names.get(code[:4] + "00", province)
        if province and city and name not in ("市辖区", "县"):
            out.append(County(code, province, city, name))
    return out


def seed_sentences(seeds_dir: Path, counties: list[County]) -> list[str]:
    """Sentences of the seed reports, place names turned into {county} so each report gets its own."""
    if not seeds_dir.is_dir():
        logger.warning("seed reports not found in %s: the corpus uses only the report-format vocabulary", seeds_dir)
        return []
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(seeds_dir.glob("*.txt")))
    # Seed counties (and their short names such as 周村) would otherwise be in every synthetic report.
    local = [c.county for c in counties if c.county in text]
    out: list[str] = []
    for raw in re.split(r"(?<=[。；！？])|\n", text):
        s = _WS_RE.sub("", raw).strip()
        if len(s) < 8 or not re.search(r"[\u4e00-\u9fff]{4}", s):
            continue
        s = _YEAR_RE.sub("{year}", s)
        for name in local:
            s = s.replace(name, "{county}")
            if len(name) > 2:
                s = s.replace(name[:-1], "{county}")
        out.append(s)
    return list(dict.fromkeys(out))


class CorpusGenerator:
    """Generates `SynthReport`s; deterministic for a given seed and seeds directory."""

    def __init__(self, seed: int = 20240601, seeds_dir: Path = DEFAULT_SEEDS) -> None:
        self.rng = random.Random(seed)
        self.counties = load_counties()
        base = seed_sentences(seeds_dir, self.counties)
        rng = random.Random(seed + 1)
        # Each seed sentence in a few variants with other numbers, so numbers differ between reports.
        self.sentences: list[str] = []
        for s in base:
            self.sentences.append(s)
            if _NUM_RE.search(s):
                for _ in range(2):
                    self.sentences.append(_NUM_RE.sub(lambda m: str(rng.randint(0, 10 ** len(m.group(0)))), s))
        weights = [1.0 / (i + 1) ** 1.1 for i in range(len(TOPICS))]
        total = sum(weights)
        self.topic_cum = list(_cumulative([w / total for w in weights]))
        self._used: set[tuple[str, int]] = set()

    def _topic_sentence(self) -> str:
        rng = self.rng
        a, b = rng.choices(TOPICS, cum_weights=self.topic_cum, k=2)
        verb = rng.choice(["扎实推进", "全面公开", "及时发布", "重点做好", "持续深化", "认真落实", "主动公开"])
        return f"{verb}{a}相关信息{rng.randint(1, 300)}条，围绕{b}开展政策解读{rng.randint(1, 40)}次。"

    def _rare_sentence(self) -> str:
        """A sentence of random work words: the long tail of bigrams that occur in few reports."""
        rng = self.rng
        n = rng.randint(6, 16)
        return "".join(rng.choices(_FILLER_CHARS, k=n)) + rng.choice("，。；") + "".join(
            rng.choices(_FILLER_CHARS, k=rng.randint(4, 10))) + "。"

    def _table(self, labels: list[str], ncols: int) -> str:
        rng = self.rng
        rows = []
        for label in labels:
            nums = " ".join(str(rng.choice((0, 0, 0, 1, 2, 3, rng.randint(0, 500)))) for _ in range(ncols))
            rows.append(f"{label} {nums}")
        return "\n".join(rows)

    def _length(self) -> int:
        """Characters of text: lognormal, median 6,500, most between 3,000 and 15,000."""
        return int(min(30000, max(2500, self.rng.lognormvariate(math.log(6500), 0.42))))

    def report(self, i: int) -> SynthReport:
        rng = self.rng
        while True:
            c = rng.choice(self.counties)
            dept_short, dept_full = rng.choice(DEPARTMENTS)
            # Later years are over-represented: more agencies publish, and more of it is still online.
            year = rng.choices(list(YEARS), weights=[1 + (y - 2008) ** 1.5 for y in YEARS])[0]
            agency = f"{c.city}{c.county}{dept_full}" if c.city != c.county else f"{c.county}{dept_full}"
            if (agency, year) not in self._used:
                self._used.add((agency, year))
                break
        printed = f"{c.county}{dept_full}"
        form = "form2021" if year >= 2021 else "form2019" if year >= 2019 else rng.choice(
            ["legacy_table", "narrative"])
        sections = {"form2021": SECTIONS_2021, "form2019": SECTIONS_2019}.get(form, SECTIONS_LEGACY)
        target = self._length()
        head = (f"{printed}\n{year}年政府信息公开工作年度报告\n本报告中所列数据的统计期限自{year}年1月1日起至"
                f"{year}年12月31日止。本报告电子版可在{c.county}人民政府门户网站下载。")
        tables = ""
        if form in ("form2021", "form2019"):
            tables = "\n".join([self._table(TABLE2_2021 if form == "form2021" else TABLE2_2019, 3),
                                self._table(TABLE3, 7), " ".join(TABLE4), self._table(["0"], 15)])
        elif form == "legacy_table":
            tables = "附件：政府信息公开情况统计表\n统计指标 单位 统计数\n" + self._table(TABLE_LEGACY, 1)
        body_len = max(500, target - len(head) - len(tables))
        per_section = body_len // len(sections)
        parts = [head]
        pool = self.sentences or [self._topic_sentence() for _ in range(50)]
        for k, heading in enumerate(sections):
            parts.append(heading)
            if k == 0 and form == "form2021":
                parts.append(rng.choice(SUBHEADS))
            size = 0
            para: list[str] = []
            while size < per_section:
                r = rng.random()
                s = self._topic_sentence() if r < 0.12 else self._rare_sentence() if r < 0.17 else rng.choice(pool)
                para.append(s)
                size += len(s)
                if len(para) >= rng.randint(3, 7):
                    parts.append("".join(para))
                    para = []
            if para:
                parts.append("".join(para))
            if k == 2 and tables:
                parts.append(tables)
        parts.append(f"{printed}\n{year + 1}年1月{rng.randint(10, 31)}日")
        text = "\n".join(parts).replace("{county}", c.county).replace("{year}", str(year))
        return SynthReport(
            agency=agency, agency_as_printed=printed, department=dept_short, province=c.province, city=c.city,
            county=c.county, adcode=c.adcode, report_year=year,
            title=f"{printed}{year}年政府信息公开工作年度报告", form=form,
            source_url=f"http://www.gov.example/{c.adcode}/xxgk/ndbg/{year}/t{i:07d}.html", text=text,
        )

    def reports(self, n: int) -> Iterator[SynthReport]:
        for i in range(n):
            yield self.report(i)


def _cumulative(ws: list[float]) -> Iterator[float]:
    acc = 0.0
    for w in ws:
        acc += w
        yield acc
