"""A complete report snapshot with made-up content: the shape every renderer works from.

The real snapshot is made by `rules.compute()` + `services.issue_report()`; this one lets the PDF
renderer, the signer and their tests run without a database. Its shape (every key, its type, and what
a key meant before it existed) is described once, in `reports/snapshot.py`; the tests hold this
example to it.
"""

import copy
import csv
from pathlib import Path
from typing import Any

EXAMPLE: dict[str, Any] = {
    "schema": 1,
    "number": "LZXY-20261126-000123",
    "verification_code": "7KQ2M9XHTRW4CBNJ5VPE",
    "verification_code_display": "7KQ2-M9XH-TRW4-CBNJ-5VPE",
    "verify_url": "http://127.0.0.1:8000/verify/7KQ2M9XHTRW4CBNJ5VPE",
    "issued_at": "2026-11-26T10:15:00+08:00",
    "data_as_of": "2026-11-26T10:15:00+08:00",
    "valid_until": "2026-12-26",
    "issuer": {
        "name": "兰州市社会信用体系建设领导小组办公室",
        "platform": "信用中国（甘肃兰州）信用信息共享平台",
        "seal_text": "兰州市社会信用体系建设领导小组办公室",
    },
    "region": {"code": "620100", "name": "兰州市"},
    "entity": {
        "name": "兰州𡃁仔餐饮管理有限公司（䶮字号）",
        "credit_code": "91620102492736240N",
        "kind": "company",
        "kind_label": "公司",
        "legal_rep": "张三",
        "status_label": "存续（在业）",
    },
    "query": {
        "start": "2023-11-27",
        "end": "2026-11-26",
        "domains": ["market-regulation", "taxation", "court-enforcement"],
        "all_domains": False,
        "purpose": "finance",
        "purpose_label": "金融",
        "purpose_text": "申请银行贷款",
    },
    "rules": {
        "include_simple_procedure": True,
        "repaired_records": "label",
        "nothing_found_text": "查询期内，未发现{kinds}记录",
        "judgments_on_single_domain": True,
    },
    "wording": {
        "title": "专用信用报告",
        "legal_basis": "本报告依据《兰州市推行经营主体以专用信用报告替代无违法违规记录证明实施方案》"
                       "和国家发展改革委等部门有关文件（发改财金〔2025〕565号）出具。",
        "replaces": "本报告替代本市公布的替代事项清单所列领域在兰州市行政区域内的无违法违规记录证明，"
                    "有关部门和单位应当予以认可，不得要求经营主体另行开具。",
        "not_covered": ["民事、行政案件的判决和裁定", "欠缴税款信息", "涉密信息及依法不予公开的信息",
                        "兰州市行政区域以外作出的处理决定", "平台数据来源范围以外的其他事项"],
        "responsibility": "报告所列信息由数据来源单位按照“谁产生、谁负责”的原则对其真实性、准确性负责。",
    },
    "summary": [
        {"code": "court-enforcement", "name": "法院执行", "order": 1, "found": 1,
         "statement": "查询期内，该主体在本领域存在 1 条违法违规记录（严重失信 1 条），详见下文",
         "kinds": ["行政处罚", "行政强制", "严重失信"]},
        {"code": "market-regulation", "name": "市场监管", "order": 25, "found": 2,
         "statement": "查询期内，该主体在本领域存在 2 条违法违规记录（行政处罚 1 条、行政强制 1 条），详见下文",
         "kinds": ["行政处罚", "行政强制", "严重失信"]},
        {"code": "taxation", "name": "税务", "order": 34, "found": 0,
         "statement": "查询期内，未发现行政处罚、行政强制、严重失信记录",
         "kinds": ["行政处罚", "行政强制", "严重失信"]},
    ],
    "details": [
        {
            "code": "court-enforcement", "name": "法院执行",
            "records": [{
                "kind": "listing", "id": 31, "version": 1, "content_hash": "5f0c2a9e",
                "title": "严重失信主体名单", "number": "（2024）甘0102执1234号",
                "authority": "兰州市城关区人民法院", "date": "2024-05-10", "category": "失信被执行人",
                "content": "有履行能力而拒不履行生效法律文书确定义务", "violation": "", "facts": "", "basis": "",
                "amounts": "", "period": "2024-05-10 列入，2025-05-10 移出", "procedure": "",
                "labels": ["已修复", "已移出名单"], "explanation": None,
            }],
        },
        {
            "code": "market-regulation", "name": "市场监管",
            "records": [{
                "kind": "penalty", "id": 17, "version": 2, "content_hash": "9b1d44c0",
                "title": "行政处罚", "number": "兰市监罚〔2025〕17号",
                "authority": "兰州市市场监督管理局", "date": "2025-03-01", "category": "罚款；警告",
                "content": "罚款人民币五千元，责令改正", "violation": "发布虚假广告",
                "facts": "在其经营场所及网店宣称产品“治疗高血压”，无任何依据",
                "basis": "《中华人民共和国广告法》第五十五条第一款", "amounts": "罚款 0.5 万元",
                "period": "", "procedure": "普通程序", "labels": ["异议处理中"],
                "explanation": {"category": "不属于重大违法违规行为", "text": "该违法行为情节轻微，已及时改正，未造成危害后果。",
                                "signer": "兰州市市场监督管理局", "date": "2025-06-01"},
            }, {
                "kind": "compulsion", "id": 5, "version": 1, "content_hash": "e3a7710b",
                "title": "行政强制", "number": "兰市监强〔2025〕5号",
                "authority": "兰州市市场监督管理局", "date": "2025-08-12", "type": "行政强制措施",
                "category": "查封场所设施或者财物", "content": "涉嫌生产经营超过保质期的食品原料",
                "violation": "", "facts": "", "basis": "《中华人民共和国食品安全法》第一百一十条第四项",
                "amounts": "", "period": "2025-08-12 决定，2025-09-10 解除", "procedure": "",
                "lifted_on": "2025-09-10", "labels": ["已解除"], "explanation": None,
            }],
        },
    ],
    "judgments": {
        "found": 1,
        "statement": "查询期内，该主体存在 1 条生效刑事判决记录，详见下文",
        "records": [{
            "kind": "judgment", "id": 2, "version": 1, "content_hash": "0c9e51d2",
            "title": "刑事判决", "number": "（2024）甘0102刑初88号", "authority": "兰州市城关区人民法院",
            "date": "2024-09-30", "judged_on": "2024-09-12", "category": "单位行贿罪",
            "content": "被告单位犯单位行贿罪，判处罚金人民币三十万元；已全部缴纳", "violation": "", "facts": "",
            "basis": "", "amounts": "罚金 30 万元", "period": "", "procedure": "", "labels": [], "explanation": None,
        }],
    },
    "notes": [
        "本报告依据兰州市信用信息共享平台归集的行政处罚（“双公示”）、行政强制、严重失信主体名单和刑事判决信息生成，"
        "反映查询期内该主体在所选领域、兰州市行政区域内的违法违规记录情况。",
        "本报告不包含涉密信息及依法不予公开的信息，不包含平台数据来源范围以外的事项；依法不予行政处罚的决定，"
        "已撤销、撤回或确认无效的处罚和强制决定，宣告无罪或经再审撤销的判决，不列入违法违规记录。"
        "已解除的行政强制照常列示并标注“已解除”。",
        "核验方式：扫描二维码或登录平台核验页面输入核验码，核验报告真实性及出具后信息变化情况。",
    ],
    "language": "zh-hans",
    "labels": None,  # a Chinese report; an English one holds reports.languages.english_labels() here
    "hash": "",
}

# How fresh each domain's data is (freshness.services.annotate_summary): taxation's source has been silent.
_FRESHNESS = {
    "taxation": ("2026-08-31", "数据时效提示：国家税务总局兰州市税务局自2026年8月31日后未报送数据（超过 30 个工作日未报送数据，"
                               "也未确认无新增数据），本领域查询结果可能未包含其后作出的决定。"),
}
for _row in EXAMPLE["summary"]:
    _row["as_of"], _row["silence_note"] = _FRESHNESS.get(_row["code"], ("2026-11-20", ""))
EXAMPLE["freshness"] = {
    "silent_after_workdays": 30, "noted_domains": 1,
    "statement": "所查 3 个领域中，有 1 个领域的数据来源超过 30 个工作日未报送数据或尚无数据来源，相关领域已注明数据时效提示，"
                 "其查询结果仅反映平台已归集的数据。",
}


def example_snapshot(**changes) -> dict:
    snapshot = copy.deepcopy(EXAMPLE)
    snapshot.update(changes)
    return snapshot


DOMAINS_CSV = Path(__file__).resolve().parents[1] / "reference" / "data" / "lanzhou" / "domains.csv"


def full_example_snapshot() -> dict:
    """The example as a report on all 38 domains (完整领域): the same records, every other domain clean."""
    snapshot = example_snapshot()
    found = {row["code"]: row for row in snapshot["summary"]}
    nothing = found["taxation"]["statement"]
    with DOMAINS_CSV.open(encoding="utf-8") as f:
        domains = list(csv.DictReader(f))
    snapshot["query"].update(domains=[d["code"] for d in domains], all_domains=True)
    snapshot["summary"] = [found.get(d["code"]) or {
        "code": d["code"], "name": d["name"], "order": int(d["order"]), "found": 0, "statement": nothing,
        "kinds": ["行政处罚", "行政强制", "严重失信"], "as_of": "2026-11-20", "silence_note": ""} for d in domains]
    snapshot["freshness"] = {**snapshot["freshness"], "statement": snapshot["freshness"]["statement"].replace(
        f"所查 {len(found)} 个领域", f"所查 {len(domains)} 个领域")}
    return snapshot
