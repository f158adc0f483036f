"""The languages a report is issued in, and the fixed text each prints.

A report's text is signed: it must print the same for as long as the report lives, whatever the site's
translations become. So the report's words are not gettext's (the .po catalogue is for pages): they are
the fixed tables below. A Chinese report prints with CHINESE (its snapshot holds no table; what it
prints is in this code, as the template's text always was). An English report freezes its table into
the snapshot at issue (`labels`, from english_labels()): headings, field names, record labels, statuses,
domain names and the notes, in English. The records' own values (authority, facts, category …) print as
the departments sent them, in Chinese, as do names and the city's legal wording.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

CHINESE = "zh-hans"  # models.ReportLanguage's values
ENGLISH = "en"


# What the Typst template prints besides the snapshot's data. `{n}`-style fields are filled in by the template.
CHINESE_TEXT: dict[str, Any] = {
    "lang": "zh",
    "attachment_name": "全部记录清单.csv",
    "attachment_description": "本报告所列全部记录清单",
    "subtitle": "（替代无违法违规记录证明）",
    "number": "报告编号",
    "code": "核验码",
    "issuer": "出具机构",
    "platform": "信用平台",
    "issued_at": "出具时间",
    "valid_until": "有效期至",
    "colon": "：",
    "page": "第 {page} 页 / 共 {total} 页",
    "scan": "扫描二维码核验本报告",
    "verify_url": "核验网址：",
    "section_numbering": "一",
    "section_gap": "、",
    "subsection_numbering": "（一）",
    "subsection_gap": "",
    "entity_heading": "主体信息",
    "entity_name": "主体名称",
    "credit_code": "统一社会信用代码",
    "entity_kind": "主体类型",
    "legal_rep": "法定代表人（负责人）",
    "entity_status": "登记状态",
    "query_heading": "查询说明",
    "region": "查询区域",
    "region_value": "{name}（行政区划代码 {code}）",
    "period": "查询期间",
    "domains": "查询领域",
    "purpose": "报告用途",
    "data_as_of": "数据截至",
    "summary_heading": "查询结果汇总",
    "domain_order": "领域编号",
    "domain": "领域",
    "result": "查询结果",
    "found": "存在 {n} 条记录",
    "found_scope": "（查询范围：{kinds}记录；详见下文）",
    "see_below": "（详见下文）",
    "criminal": "刑事",
    "judgments_found": "存在 {n} 条刑事判决记录",
    "details_heading": "记录详情",
    "domain_count": "（{n} 条）",
    "cut_short": "本领域共 {count} 条记录，因篇幅所限，以下按日期顺序列示前 {printed} 条；全部 {count} 条记录见本报告附件"
                 "“{attachment}”（附件与报告一并电子签名，可在 PDF 阅读器的附件栏打开）。",
    "judgments_heading": "刑事判决",
    "full_stop": "。",
    "notes_heading": "说明",
    "not_covered": "本报告不涵盖以下事项：{items}。对本报告不能证明的事项，依照有关规定办理。",
    "list_separator": "、",
    "clause_separator": "；",
    "explanation": "情节严重程度说明：",
    "explanation_signed": "（{signer}，{date}）",
    "compact_head": ["序号", "文号 / 作出机关", "日期", "类别；内容", "金额 / 期间"],
    "labels_open": "【",
    "labels_close": "】",
    "issued_by": "出具机构：",
    "issued_on": "出具日期：",
    "as_of_unknown": "不详",
    "record_labels": {
        "penalty": {
            "number": "处罚决定书文号", "authority": "处罚机关", "date": "处罚决定日期", "procedure": "程序",
            "violation": "违法行为类型", "facts": "违法事实", "basis": "处罚依据", "category": "处罚类别",
            "content": "处罚内容", "amounts": "罚没金额", "period": "处罚期限",
        },
        "compulsion": {
            "number": "行政强制决定书文号", "authority": "实施机关", "type": "强制类型", "category": "强制类别",
            "content": "事由", "basis": "依据", "date": "决定日期", "lifted_on": "解除日期",
        },
        "listing": {
            "number": "认定文号/案号", "authority": "认定部门", "date": "列入日期", "category": "名单类别",
            "content": "失信行为简况", "amounts": "涉及金额", "period": "列入期间",
        },
        "judgment": {
            "number": "案号", "authority": "审理法院", "category": "罪名", "judged_on": "判决（裁定）日期",
            "date": "生效日期", "amounts": "刑罚", "content": "判决结果摘要",
        },
    },
    # The colour of a record label (labels are words; the colour only repeats them).
    "tag_colours": {"异议处理中": "#b45309", "已修复": "#15803d", "已解除": "#15803d"},
}

# The English report's fixed text: CHINESE_TEXT's keys in English, and how the snapshot's Chinese values that
# the platform itself wrote (not the departments) read in English.
ENGLISH_TEXT: dict[str, Any] = {
    "lang": "en",
    "attachment_name": "all-records.csv",
    "attachment_description": "Every record this report lists",
    "subtitle": "(in place of certificates of no violation of laws and regulations)",
    "number": "Report number",
    "code": "Verification code",
    "issuer": "Issued by",
    "platform": "Credit platform",
    "issued_at": "Issued at",
    "valid_until": "Valid until",
    "colon": ": ",
    "page": "Page {page} of {total}",
    "scan": "Scan the QR code to verify this report",
    "verify_url": "Verify at: ",
    "section_numbering": "1",
    "section_gap": ". ",
    "subsection_numbering": "(a)",
    "subsection_gap": " ",
    "entity_heading": "Business entity",
    "entity_name": "Name",
    "credit_code": "Unified social credit code",
    "entity_kind": "Type of entity",
    "legal_rep": "Legal representative (person in charge)",
    "entity_status": "Registration status",
    "query_heading": "Scope of the search",
    "region": "Region searched",
    "region_value": "{name} (administrative division code {code})",
    "period": "Period searched",
    "domains": "Domains searched",
    "purpose": "Purpose of the report",
    "data_as_of": "Data as of",
    "summary_heading": "Summary of results",
    "domain_order": "No.",
    "domain": "Domain",
    "result": "Result",
    "found": "{n} record(s) found",
    "found_scope": " (searched: {kinds}; see below)",
    "see_below": " (see below)",
    "criminal": "Criminal",
    "judgments_found": "{n} criminal judgment(s) found",
    "details_heading": "Records in detail",
    "domain_count": " ({n} records)",
    "cut_short": "This domain has {count} records. For reasons of length the first {printed} are listed below in "
                 "order of date; all {count} records are in the attachment \"{attachment}\" of this report "
                 "(signed together with the report; open it from the attachments panel of a PDF reader).",
    "judgments_heading": "Criminal judgments",
    "full_stop": ".",
    "notes_heading": "Notes",
    "not_covered": "This report does not cover the following matters (in the issuing city's own words): {items}. "
                   "Matters this report cannot attest are dealt with under the relevant rules.",
    "list_separator": ", ",
    "clause_separator": "; ",
    "explanation": "Statement on the seriousness of the matter: ",
    "explanation_signed": " ({signer}, {date})",
    "compact_head": ["No.", "Document number / authority", "Date", "Category; content", "Amount / period"],
    "labels_open": " [",
    "labels_close": "]",
    "issued_by": "Issued by: ",
    "issued_on": "Date of issue: ",
    "as_of_unknown": "unknown",
    "record_labels": {
        "penalty": {
            "number": "Decision number", "authority": "Deciding authority", "date": "Date of decision",
            "procedure": "Procedure", "violation": "Type of violation", "facts": "Facts", "basis": "Legal basis",
            "category": "Type of penalty", "content": "Penalty", "amounts": "Fine and confiscation",
            "period": "Duration",
        },
        "compulsion": {
            "number": "Decision number", "authority": "Enforcing authority", "type": "Type of compulsion",
            "category": "Category", "content": "Grounds", "basis": "Legal basis", "date": "Date of decision",
            "lifted_on": "Lifted on",
        },
        "listing": {
            "number": "Decision or case number", "authority": "Listing authority", "date": "Listed on",
            "category": "List", "content": "Conduct", "amounts": "Amount involved", "period": "Period listed",
        },
        "judgment": {
            "number": "Case number", "authority": "Court", "category": "Offence", "judged_on": "Date of judgment",
            "date": "Effective from", "amounts": "Sentence", "content": "Summary of the judgment",
        },
    },
    "tag_colours": {"Objection pending": "#b45309", "Credit repaired": "#15803d", "Lifted": "#15803d"},
    # Words the platform wrote into the snapshot in Chinese, as the English report prints them.
    "values": {
        # record labels (reports.rules)
        "异议处理中": "Objection pending", "已修复": "Credit repaired", "已移出名单": "Removed from the list",
        "已解除": "Lifted",
        # record kinds, full and short (records.models.kind_text)
        "行政处罚": "Administrative penalty", "行政强制": "Administrative compulsion",
        "严重失信主体名单": "List of seriously dishonest entities", "严重失信": "Serious dishonesty listing",
        "刑事判决": "Criminal judgment", "经营主体登记信息": "Business register",
        # penalty procedure, compulsion type
        "普通程序": "Ordinary procedure", "简易程序": "Simplified procedure", "未注明": "Not stated",
        "行政强制措施": "Administrative compulsory measure", "行政强制执行": "Administrative enforcement",
        # entity kinds and statuses (entities.models)
        "公司": "Company", "分支机构": "Branch", "非公司企业法人": "Non-company enterprise legal person",
        "个人独资企业": "Sole proprietorship", "合伙企业": "Partnership",
        "农民专业合作社": "Farmers' specialised cooperative", "个体工商户": "Individual business",
        "外国公司分支机构": "Branch of a foreign company", "存续（在业）": "Active", "吊销": "Licence revoked",
        "注销": "Deregistered", "迁出": "Moved out",
        # report purposes (reports.models.Purpose)
        "金融": "Finance", "商务经营": "Business", "行政管理": "Public administration", "其他": "Other",
    },
    # The kinds a domain line searched, as a sentence names them.
    "searched_kinds": {"行政处罚": "administrative penalties", "行政强制": "administrative compulsion",
                       "严重失信": "serious dishonesty listings"},
    # The nationally agreed domains (reference data's domain codes); a domain not named here prints in Chinese.
    "domain_names": {
        "court-enforcement": "Court enforcement", "development-reform": "Development and reform",
        "education": "Education", "science-technology": "Science and technology",
        "industry-it": "Industry and information technology", "ethnic-religious": "Ethnic and religious affairs",
        "public-security": "Public security", "civil-affairs": "Civil affairs", "justice": "Justice",
        "finance": "Public finance", "human-resources": "Human resources and social security",
        "natural-resources": "Natural resources and planning", "ecology-environment": "Ecology and environment",
        "housing-construction": "Housing and urban-rural construction", "transport": "Transport",
        "water-resources": "Water resources", "agriculture-rural": "Agriculture and rural affairs",
        "commerce": "Commerce", "culture-tourism": "Culture and tourism", "health": "Health",
        "veterans-affairs": "Veterans affairs", "work-safety": "Work safety", "audit": "Audit",
        "forestry-grassland": "Forestry and grassland", "market-regulation": "Market regulation",
        "intellectual-property": "Intellectual property", "sports": "Sports", "statistics": "Statistics",
        "civil-air-defense": "Civil air defence", "medical-security": "Medical security",
        "grain-reserves": "Grain and material reserves", "urban-management": "Urban management",
        "housing-fund": "Housing provident fund", "taxation": "Taxation", "meteorology": "Meteorology",
        "earthquake": "Earthquake", "fire-safety": "Fire safety", "tobacco-monopoly": "Tobacco monopoly",
    },
}


def english_labels(content: Mapping[str, Any]) -> dict[str, Any]:
    """The fixed English table, with the notes this report's rules call for: frozen into the snapshot."""
    rules, judgments = content["rules"], content["judgments"] is not None
    simple = "included" if rules["include_simple_procedure"] else "not included"
    repaired = ("listed, labelled \"Credit repaired\"" if rules["repaired_records"] == "label"
                else "not listed")
    sources = ("administrative penalties (published under the \"double publicity\" rules), administrative "
               "compulsion, the lists of seriously dishonest entities" + (" and criminal judgments" if judgments else ""))
    region = content["region"]["name"]
    notes = [
        f"This report is generated from the records of {sources} collected by the credit information sharing "
        f"platform of {region}. It shows the entity's records of violations of laws and regulations in the "
        f"domains chosen, within the administrative region of {region}, in the period searched.",
        "This report contains no classified information and no information that is not to be disclosed by law, "
        "and nothing outside the platform's data sources. Decisions not to impose a penalty; penalties and "
        "compulsion decisions revoked, withdrawn or declared void; and judgments of acquittal or set aside on "
        "retrial are not records of violations. Administrative compulsion that has been lifted is listed, "
        "labelled \"Lifted\".",
        f"Administrative penalties decided under the simplified procedure: {simple}. Records whose credit has been "
        f"repaired: {repaired}. Records under objection are listed, labelled \"Objection pending\".",
        "To verify: scan the QR code on the first page of the report, or enter the verification code on the "
        "platform's verification page, to check that the report is authentic and valid and what has changed "
        "since it was issued. The report's electronic signature can be checked offline against the root "
        "certificate the platform publishes.",
    ]
    mode = rules.get("listings_any_region", "all")
    if mode == "national":
        notes.append("National lists of seriously dishonest entities (such as the list of dishonest judgment "
                     "debtors) are listed wherever the listing authority is.")
    elif mode == "all":
        notes.append("Lists of seriously dishonest entities are listed wherever the listing authority is.")
    return {**copy.deepcopy(ENGLISH_TEXT), "notes": notes}


def text_of(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The template's fixed text for this report: the English table it froze, or the Chinese one."""
    labels = snapshot.get("labels")
    return labels if labels else CHINESE_TEXT


def as_printed(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot as the report prints it: unchanged for a Chinese report; for an English one, the words the
    platform wrote (domain names, kinds, labels, statuses, results, notes) in English from its frozen table.
    The records' own values stay as the departments sent them."""
    labels = snapshot.get("labels")
    if not labels:
        return dict(snapshot)
    values: dict[str, str] = labels["values"]
    domain_names: dict[str, str] = labels["domain_names"]

    def word(text: str) -> str:
        return values.get(text, text)

    def record(r: Mapping[str, Any]) -> dict[str, Any]:
        out = {**r, "title": word(r["title"]), "labels": [word(x) for x in r.get("labels", [])]}
        for key in ("procedure", "type"):
            if key in out:
                out[key] = word(out[key])
        return out

    summary = []
    for row in snapshot["summary"]:
        searched = [labels["searched_kinds"].get(k, k) for k in row.get("kinds", ["行政处罚", "严重失信"])]
        statement = row["statement"] if row["found"] else \
            f"No record found in the period searched (searched: {', '.join(searched)})"
        summary.append({**row, "name": domain_names.get(row["code"], row["name"]), "statement": statement,
                        **({"kinds": searched} if "kinds" in row else {})})
    details = [{**block, "name": domain_names.get(block["code"], block["name"]),
                "records": [record(r) for r in block["records"]]} for block in snapshot["details"]]
    printed = {**snapshot, "summary": summary, "details": details, "notes": labels["notes"]}
    entity = snapshot["entity"]
    printed["entity"] = {**entity, "kind_label": word(entity["kind_label"]),
                         "status_label": word(entity.get("status_label", ""))}
    printed["query"] = {**snapshot["query"], "purpose_label": word(snapshot["query"]["purpose_label"])}
    judgments = snapshot.get("judgments")
    if judgments is not None:
        printed["judgments"] = {**judgments, "records": [record(r) for r in judgments["records"]],
                                "statement": "No criminal judgment found in the period searched"
                                if not judgments["found"] else judgments["statement"]}
    freshness = snapshot.get("freshness")
    if freshness is not None:
        n, days, total = freshness["noted_domains"], freshness["silent_after_workdays"], len(summary)
        printed["freshness"] = {**freshness, "statement": (
            f"Domains with a note on their data: {n} of the {total} searched. Their sources have sent no data for "
            f"more than {days} working days, or they have no source yet; their results reflect only the data the "
            "platform holds." if n else
            f"Every department sending data for the {total} domains searched has sent data, or confirmed it had "
            f"nothing new, within {days} working days.")}
    return printed


# -- dates as each language prints them -------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def print_date(value: str, language: str) -> str:
    """An ISO date (or the date part of a timestamp, on the day it carries) as the report prints it."""
    day = date.fromisoformat(value[:10])
    if language == ENGLISH:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def print_datetime(value: str, language: str) -> str:
    return f"{print_date(value, language)} {datetime.fromisoformat(value):%H:%M}"
