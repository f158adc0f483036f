"""A complete report snapshot with made-up content: the shape every renderer works from.

The real snapshot is made by `rules.compute()` + `services.issue_report()`; this one lets the PDF
renderer, the signer and their tests run without a database.

Snapshot (schema 1), all values JSON:
- number, verification_code (canonical, no separators), verification_code_display (grouped),
  verify_url, issued_at, data_as_of (ISO 8601 with offset), valid_until (date)
- issuer: {name, platform, seal_text}; region: {code, name}
- entity: {name, credit_code, kind, kind_label, legal_rep, status_label}
- query: {start, end, domains: [code], all_domains, purpose, purpose_label, purpose_text}
- rules: the settings in force (include_simple_procedure, repaired_records, nothing_found_text, …)
- summary: one row per chosen domain, in domain order:
    {code, name, order, found: int, statement}
- details: one block per domain with records, in domain order:
    {code, name, records: [record]}; record = {kind: penalty|listing, title, number, authority,
    date, category, content, amounts: str, labels: [str], explanation: {category, text, signer,
    date} | null, period: str}
- freshness (issue 13): each summary row also has as_of (ISO date, '' when unknown) and silence_note
    (str, '' when none); the block {silent_after_workdays, noted_domains, statement} says how many have one
- notes: [str] — what the report covers and does not, how to verify it
- hash: SHA-256 of the canonical JSON of everything above
"""

import copy

EXAMPLE = {
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
        "nothing_found_text": "查询期内，未发现该主体在本领域存在违法违规记录",
    },
    "summary": [
        {"code": "court-enforcement", "name": "法院执行", "order": 1, "found": 1, "statement": "查询期内，该主体在本领域存在 1 条记录，详见下文"},
        {"code": "market-regulation", "name": "市场监管", "order": 25, "found": 1, "statement": "查询期内，该主体在本领域存在 1 条记录，详见下文"},
        {"code": "taxation", "name": "税务", "order": 34, "found": 0, "statement": "查询期内，未发现该主体在本领域存在违法违规记录"},
    ],
    "details": [
        {
            "code": "court-enforcement", "name": "法院执行",
            "records": [{
                "kind": "listing", "title": "失信被执行人", "number": "（2024）甘0102执1234号",
                "authority": "兰州市城关区人民法院", "date": "2024-05-10", "category": "失信被执行人",
                "content": "有履行能力而拒不履行生效法律文书确定义务", "amounts": "",
                "period": "2024-05-10 列入，2025-05-10 移出", "labels": ["已修复"], "explanation": None,
            }],
        },
        {
            "code": "market-regulation", "name": "市场监管",
            "records": [{
                "kind": "penalty", "title": "行政处罚", "number": "兰市监罚〔2025〕17号",
                "authority": "兰州市市场监督管理局", "date": "2025-03-01", "category": "罚款；警告",
                "content": "罚款人民币五千元，责令改正", "amounts": "罚款 0.5 万元",
                "period": "", "labels": ["异议处理中"],
                "explanation": {"category": "不属于重大违法违规行为", "text": "该违法行为情节轻微，已及时改正，未造成危害后果。",
                                "signer": "兰州市市场监督管理局", "date": "2025-06-01"},
            }],
        },
    ],
    "notes": [
        "本报告依据兰州市信用信息共享平台归集的行政处罚、严重失信主体名单等信息生成，反映查询期内该主体在所选领域的违法违规记录情况。",
        "本报告不包含涉密信息及依法不予公开的信息，不包含平台数据来源范围以外的事项。",
        "依法不予行政处罚的决定、已撤销、撤回或确认无效的处罚决定不列入违法违规记录。",
        "核验方式：扫描二维码或登录平台核验页面输入核验码，核验报告真实性及出具后信息变化情况。",
    ],
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
