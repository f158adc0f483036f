"""The file layouts departments send: which header names mean which field.

Each kind lists its fields with every header seen in the wild: the national Chinese header, the
column code (CF_*/XK_*), and older-generation names. A JSON mapping file adds more per import.
"""

import re
from dataclasses import dataclass, field

from cleanrecord.lib.text import compact


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # the Chinese name used in error messages
    aliases: tuple[str, ...] = ()
    # text, code, date, amount, category, flag, public, status, domain, procedure, id, region, compulsion_type,
    # compulsion_category, compulsion_state (values.py)
    parser: str = "text"
    max_length: int = 0
    join: bool = False  # several columns may feed this field; their values are joined


def _subject(prefix: str) -> list[Field]:
    p = prefix
    return [
        Field("subject_name", "行政相对人名称", ("行政相对人名称", f"{p}_XDR_MC", "相对人名称", "当事人名称", "主体名称",
                                                # published lists: the party is the subject (当事人 = 行政相对人)
                                                "当事人", "被处罚单位", "被处罚人", "被处罚单位名称", "当事人姓名/名称"),
              max_length=200),
        Field("subject_category", "行政相对人类别", ("行政相对人类别", f"{p}_XDR_LB", "相对人类别", "主体类别"), "category"),
        Field("credit_code", "统一社会信用代码",
              ("行政相对人代码_1(统一社会信用代码)", "行政相对人代码_1", f"{p}_XDR_SHXYM", "统一社会信用代码", "社会信用代码",
               "统一信用代码", "信用代码"), "code"),  # shortened spellings of 统一社会信用代码 on published pages
        Field("reg_no", "工商注册号", ("行政相对人代码_2(工商注册号)", "行政相对人代码_2", f"{p}_XDR_GSZC", "工商注册号", "注册号",
                                      f"{p}_XDR_GSDJ", "工商登记码", "工商登记号"), "code", 50),
        Field("org_code", "组织机构代码",
              ("行政相对人代码_3(组织机构代码)", "行政相对人代码_3", f"{p}_XDR_ZZJG", "组织机构代码", f"{p}_XDR_ZDM"), "code", 50),
        Field("tax_no", "税务登记号", ("行政相对人代码_4(税务登记号)", "行政相对人代码_4", f"{p}_XDR_SWDJ", "税务登记号"), "code", 50),
        Field("institution_no", "事业单位证书号",
              ("行政相对人代码_5(事业单位证书号)", "行政相对人代码_5", f"{p}_XDR_SYDW", "事业单位证书号"), "code", 50),
        Field("social_org_no", "社会组织登记证号",
              ("行政相对人代码_6(社会组织登记证号)", "行政相对人代码_6", f"{p}_XDR_SHZZ", "社会组织登记证号"), "code", 50),
        Field("legal_rep", "法定代表人",
              ("法定代表人", f"{p}_FRDB", "法定代表人姓名", "法定代表人(负责人)", "法定代表人/主要负责人", "主要负责人",
               "法定代表人或者负责人姓名", "负责人", f"{p}_FR"), max_length=100),
        Field("legal_rep_id_type", "法定代表人证件类型", ("法定代表人证件类型", f"{p}_FR_ZJLX"), max_length=30),
        Field("legal_rep_id", "法定代表人证件号码", ("法定代表人证件号码", f"{p}_FR_ZJHM", "法定代表人身份证号码", "法定代表人身份证号"), "id"),
        Field("subject_id_type", "证件类型", ("证件类型", f"{p}_XDR_ZJLX", "行政相对人证件类型"), max_length=30),
        Field("subject_id", "证件号码",
              ("证件号码", f"{p}_XDR_ZJHM", "行政相对人证件号码", "身份证号码", f"{p}_XDR_SFZ", "居民身份证号", "身份证号"), "id"),
    ]


_COMMON_TAIL = [
    Field("remarks", "备注", ("备注", "BZ"), max_length=4000),
    Field("status", "当前状态", ("当前状态", "状态", "CF_ZT", "记录状态"), "status"),
    Field("region_code", "地方编码", ("地方编码", "DFBM", "行政区划代码"), "region"),
    Field("domain", "领域", ("领域", "所属领域", "信用领域", "领域代码", "LY"), "domain"),
    Field("confidential", "是否涉密", ("是否涉密", "涉密", "涉密标识"), "flag"),
    Field("public", "公开属性", ("是否公开", "公开属性", "公开范围", "公开类型"), "public"),
    Field("revoked_on", "撤销日期", ("撤销日期", "撤销时间", "撤回日期"), "date"),
    Field("revoke_reason", "撤销原因", ("撤销原因", "撤销理由", "撤回原因"), max_length=500),
    Field("repaired_on", "信用修复日期", ("信用修复日期", "修复日期"), "date"),
    Field("repair_decision", "信用修复决定", ("信用修复决定", "信用修复决定文书号", "修复决定文书号", "修复文书号"), max_length=200),
]

PENALTY = _subject("CF") + [
    Field("decision_no", "行政处罚决定书文号", ("行政处罚决定书文号", "CF_WSH", "处罚决定书文号", "决定书文号", "文书号",
                                                     "处罚决定文书号", "行政处罚决定文书号", "处罚文书号"), max_length=200),
    Field("violation_type", "违法行为类型", ("违法行为类型", "CF_WFXW", "处罚名称", "CF_CFMC", "案件名称"), max_length=500),
    Field("facts", "违法事实", ("违法事实", "CF_SY", "处罚事由", "主要违法事实", "违规事实", "违法违规事实"), max_length=20000),  # 违规 = 违法 here
    Field("basis", "处罚依据", ("处罚依据", "CF_YJ", "法律依据", "处罚法律依据"), max_length=20000),  # the law applied
    Field("categories", "处罚类别", ("处罚类别", "CF_CFLB", "处罚类别1", "处罚类别2", "CF_CFLB1", "CF_CFLB2", "处罚种类",
                                       # 处罚类型 holds 警告/罚款 …, the Art. 9 categories, not the 违法行为类型
                                       "处罚类型"), "text", 200, join=True),
    Field("content", "处罚内容", ("处罚内容", "CF_NR", "处罚结果", "CF_JG"), max_length=20000),
    Field("fine_wan", "罚款金额(万元)", ("罚款金额(万元)", "CF_NR_FK", "罚款金额", "罚款金额(元)"), "amount"),
    Field("confiscated_wan", "没收违法所得、没收非法财物的金额(万元)",
          ("没收违法所得、没收非法财物的金额(万元)", "CF_NR_WFFF", "没收违法所得没收非法财物的金额(万元)",
           "没收金额(万元)", "没收违法所得、没收非法财物的金额(元)"), "amount"),
    Field("licence_affected", "暂扣或吊销证照名称及编号", ("暂扣或吊销证照名称及编号", "CF_NR_ZKDX"), max_length=500),
    Field("decided_on", "处罚决定日期", ("处罚决定日期", "CF_JDRQ", "决定日期", "处罚日期", "作出处罚决定日期", "作出行政处罚决定日期",
                                           "处罚决定书日期"), "date"),
    # 公示日期 is deliberately not an alias here: the day a penalty went online is not the day it was decided,
    # and the penalty layout has no column for it (an unread column, shown as such in the preview).
    Field("valid_until", "处罚有效期", ("处罚有效期", "CF_YXQ"), "date"),
    Field("publish_until", "公示截止期", ("公示截止期", "CF_GSJZQ"), "date"),
    Field("authority_name", "处罚机关", ("处罚机关", "CF_CFJG", "处罚机关名称", "CF_XZJG",
                                                # 处理机构 / 执法机关: the body that decided the penalty
                                                "处理机构", "处罚决定机关", "作出处罚决定机关", "执法机关", "决定机关"),
          max_length=200),
    Field("authority_code", "处罚机关统一社会信用代码", ("处罚机关统一社会信用代码", "CF_CFJGDM", "处罚机关代码"), "code"),
    Field("source_name", "数据来源单位", ("数据来源单位", "CF_SJLY", "数据来源"), max_length=200),
    Field("source_code", "数据来源单位统一社会信用代码", ("数据来源单位统一社会信用代码", "CF_SJLYDM"), "code"),
    Field("procedure", "程序类型", ("程序类型", "适用程序", "处罚程序", "CF_CXLX"), "procedure"),
] + _COMMON_TAIL

LICENCE = _subject("XK") + [
    Field("doc_name", "行政许可决定文书名称", ("行政许可决定文书名称", "XK_XKWS", "项目名称", "XK_XMMC", "许可决定文书名称"), max_length=200),
    Field("doc_no", "行政许可决定文书号", ("行政许可决定文书号", "XK_WSH", "行政许可决定书文号", "许可决定书文号", "文书号"), max_length=200),
    Field("licence_category", "许可类别", ("许可类别", "XK_XKLB", "审批类别", "XK_SPLB"), max_length=20),
    Field("certificate_name", "许可证书名称", ("许可证书名称", "XK_XKZS"), max_length=200),
    Field("licence_no", "许可编号", ("许可编号", "XK_XKBH", "许可证号"), max_length=200),
    Field("content", "许可内容", ("许可内容", "XK_NR"), max_length=20000),
    Field("decided_on", "许可决定日期", ("许可决定日期", "XK_JDRQ", "决定日期"), "date"),
    Field("valid_from", "有效期自", ("有效期自", "XK_YXQZ", "许可生效期"), "date"),
    Field("valid_to", "有效期至", ("有效期至", "XK_YXQZI", "许可截止期", "XK_JZQ", "许可有效期"), "date"),
    Field("authority_name", "许可机关", ("许可机关", "XK_XKJG", "XK_XZJG"), max_length=200),
    Field("authority_code", "许可机关统一社会信用代码", ("许可机关统一社会信用代码", "XK_XKJGDM"), "code"),
    Field("current_state", "当前状态", ("当前状态", "XK_ZT", "状态"), max_length=20),
    Field("source_name", "数据来源单位", ("数据来源单位", "XK_LYDW", "数据来源"), max_length=200),
    Field("source_code", "数据来源单位统一社会信用代码", ("数据来源单位统一社会信用代码", "XK_LYDWDM"), "code"),
] + [f for f in _COMMON_TAIL if f.name != "status"]

LISTING = [
    Field("subject_name", "主体名称",
          ("主体名称", "失信主体名称", "被执行人姓名/名称", "被执行人名称", "企业名称", "当事人名称", "行政相对人名称",
           "当事人", "失信被执行人名称", "失信主体"), max_length=200),  # 当事人: the listed party
    Field("subject_category", "主体类别", ("主体类别", "行政相对人类别", "主体类型"), "category"),
    Field("credit_code", "统一社会信用代码", ("统一社会信用代码", "社会信用代码", "行政相对人代码_1(统一社会信用代码)",
                                      "统一信用代码", "信用代码"), "code"),
    Field("code_or_id", "身份证号码/组织机构代码", ("身份证号码/组织机构代码", "证件号码/组织机构代码"), "id"),
    Field("org_code", "组织机构代码", ("组织机构代码",), "code", 50),
    Field("subject_id", "证件号码", ("证件号码", "身份证号码"), "id"),
    Field("legal_rep", "法定代表人/主要负责人",
          ("法定代表人/主要负责人", "法定代表人", "主要负责人", "法定代表人或者负责人姓名", "法定代表人(负责人)"), max_length=100),
    Field("legal_rep_id", "法定代表人证件号码", ("法定代表人证件号码", "法定代表人身份证号码"), "id"),
    Field("list_type", "名单类别", ("名单类别", "名单类型", "失信类别", "名单名称"), max_length=100),
    Field("reason", "列入原因", ("列入原因", "失信行为简况", "列入原因(失信行为简况)", "列入严重失信主体名单原因", "列入事由"), max_length=20000),
    Field("basis", "认定依据", ("认定依据", "列入依据", "法律依据"), max_length=20000),  # the rule the listing rests on
    Field("authority_name", "认定部门", ("认定部门", "认定机关", "列入部门", "认定单位", "处理机构", "作出决定机关"), max_length=200),  # the body that listed
    Field("authority_code", "认定部门统一社会信用代码", ("认定部门统一社会信用代码", "认定机关统一社会信用代码", "认定部门代码"), "code"),
    Field("listed_on", "列入日期", ("列入日期", "列入时间", "认定日期", "列入名单日期"), "date"),
    Field("removed_on", "移出日期", ("移出日期", "移出时间"), "date"),
    Field("decision_no", "列入决定文书号", ("列入决定文书号", "认定文书号", "决定文书号", "列入文号"), max_length=200),
    Field("source_name", "数据来源单位", ("数据来源单位", "数据来源"), max_length=200),
    Field("source_code", "数据来源单位统一社会信用代码", ("数据来源单位统一社会信用代码",), "code"),
    Field("court_name", "执行法院", ("执行法院",), max_length=200),
    Field("case_no", "执行案号", ("执行案号", "案号"), max_length=200),
    Field("filed_on", "立案时间", ("立案时间", "立案日期"), "date"),
    Field("basis_doc_no", "执行依据文号", ("执行依据文号",), max_length=200),
    Field("basis_issuer", "做出执行依据单位", ("做出执行依据单位", "作出执行依据单位"), max_length=200),
    Field("obligation", "生效法律文书确定的义务", ("生效法律文书确定的义务",), max_length=20000),
    Field("performance", "履行情况", ("履行情况", "被执行人的履行情况"), max_length=200),
    Field("conduct", "失信行为具体情形", ("失信行为具体情形", "失信被执行人行为具体情形"), max_length=20000),
    Field("published_on", "发布时间", ("发布时间", "发布日期", "公示日期", "公布日期"), "date"),  # when the list was published
] + [f for f in _COMMON_TAIL if f.name != "status"]

REGISTER = [
    Field("credit_code", "统一社会信用代码", ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码"), "code"),
    Field("name", "名称", ("名称", "企业名称", "主体名称", "经营主体名称", "字号名称"), max_length=200),
    Field("reg_no", "工商注册号", ("工商注册号", "注册号", "原注册号"), "code", 15),
    Field("kind", "主体类型", ("主体类型", "企业类型", "类型", "市场主体类型", "企业类型名称"), max_length=100),
    Field("region_code", "登记地行政区划", ("登记地行政区划", "住所所在行政区划", "行政区划代码", "所属区划"), "region"),
    Field("legal_rep", "法定代表人", ("法定代表人", "法定代表人(负责人)", "负责人", "经营者", "投资人", "执行事务合伙人"), max_length=100),
    Field("legal_rep_id", "法定代表人证件号码", ("法定代表人证件号码", "法定代表人身份证号码", "经营者身份证号码"), "id"),
    Field("status", "登记状态", ("登记状态", "经营状态", "企业状态"), "entity_status"),
    Field("established_on", "成立日期", ("成立日期", "注册日期", "成立时间"), "date"),
]

# 行政强制 (行政强制法 Arts. 9 and 12): the subject columns of the penalty layout, the 实施机关 as authority.
COMPULSION = _subject("QZ") + [
    Field("decision_no", "行政强制决定书文号",
          ("行政强制决定书文号", "QZ_WSH", "强制措施决定书文号", "行政强制措施决定书文号", "强制执行决定书文号",
           "行政强制执行决定书文号", "查封扣押决定书文号", "查封扣押决定书", "查封(扣押)决定书文号", "强制决定书文号",
           "决定书文号", "文书号"), max_length=200),
    Field("compulsion_type", "强制类型", ("强制类型", "QZ_QZLX", "行政强制类型", "强制种类"), "compulsion_type"),
    Field("category", "强制类别", ("强制类别", "QZ_QZLB", "行政强制类别", "强制措施种类", "强制措施类别", "行政强制措施种类",
                                   "强制执行方式", "行政强制执行方式", "强制措施"), "compulsion_category"),
    Field("reason", "事由", ("事由", "QZ_SY", "强制事由", "实施事由", "强制原因", "违法事实", "案由"), max_length=20000),
    Field("basis", "依据", ("依据", "QZ_YJ", "强制依据", "实施依据", "法律依据", "强制措施依据"), max_length=20000),
    Field("decided_on", "决定日期", ("决定日期", "QZ_JDRQ", "强制决定日期", "作出决定日期", "实施日期", "强制措施决定日期",
                                     "决定时间"), "date"),
    Field("lifted_on", "解除日期", ("解除日期", "QZ_JCRQ", "解除时间", "解除强制措施日期", "解封日期", "解冻日期"), "date"),
    Field("authority_name", "实施机关", ("实施机关", "QZ_SSJG", "实施机关名称", "行政强制实施机关", "决定机关", "执法机关",
                                         "作出决定机关", "实施主体"), max_length=200),
    Field("authority_code", "实施机关统一社会信用代码",
          ("实施机关统一社会信用代码", "QZ_SSJGDM", "实施机关代码", "决定机关统一社会信用代码"), "code"),
    Field("source_name", "数据来源单位", ("数据来源单位", "QZ_SJLY", "数据来源"), max_length=200),
    Field("source_code", "数据来源单位统一社会信用代码", ("数据来源单位统一社会信用代码", "QZ_SJLYDM"), "code"),
    # 当前状态 says 实施中 / 已解除 / 执行完毕 / 已撤销 here: the compulsion's own state, not only revocation.
    Field("current_state", "当前状态", ("当前状态", "QZ_ZT", "状态", "记录状态", "强制状态"), "compulsion_state"),
] + [f for f in _COMMON_TAIL if f.name != "status"]

# 刑事: a criminal judgment against the entity as 被告单位; the 审理法院 is the authority.
JUDGMENT = [
    Field("subject_name", "被告单位名称", ("被告单位名称", "被告单位", "XS_BGDW", "XS_XDR_MC", "被告单位(名称)", "被告名称",
                                         "行政相对人名称", "主体名称", "当事人名称", "单位名称"), max_length=200),
    *[f for f in _subject("XS") if f.name not in ("subject_name", "credit_code")],
    Field("credit_code", "被告单位统一社会信用代码",
          ("被告单位统一社会信用代码", "XS_BGDWDM", "XS_XDR_SHXYM", "被告单位代码", "统一社会信用代码", "社会信用代码",
           "行政相对人代码_1(统一社会信用代码)", "统一信用代码", "信用代码"), "code"),
    Field("case_no", "案号", ("案号", "XS_AH", "判决书案号", "裁判文书案号", "刑事判决书案号", "判决书文号", "裁判文书号",
                             "文书号"), max_length=200),
    Field("authority_name", "审理法院", ("审理法院", "XS_SLFY", "审判法院", "判决法院", "裁判法院", "作出判决法院",
                                         "审理法院名称", "法院名称", "法院"), max_length=200),
    Field("authority_code", "审理法院统一社会信用代码",
          ("审理法院统一社会信用代码", "XS_SLFYDM", "审理法院代码", "审判法院统一社会信用代码", "法院统一社会信用代码"), "code"),
    Field("charges", "罪名", ("罪名", "XS_ZM", "判决罪名", "定罪罪名", "罪名名称"), max_length=500),
    # 判决结果 is often the whole 判项 on published pages: the verdict is read from its words (values.verdict_of).
    Field("verdict", "判决结果类型", ("判决结果类型", "XS_PJJGLX", "判决结果", "裁判结果", "判决类型"), max_length=20000),
    Field("judged_on", "判决(裁定)日期", ("判决(裁定)日期", "XS_PJRQ", "判决日期", "裁判日期", "裁定日期", "判决时间",
                                          "宣判日期", "判决裁定日期"), "date"),
    Field("effective_on", "生效日期", ("生效日期", "XS_SXRQ", "判决生效日期", "裁判生效日期", "生效时间"), "date"),
    Field("fine_wan", "罚金(万元)", ("罚金(万元)", "XS_FJ", "罚金", "罚金金额", "罚金金额(万元)", "罚金(元)", "罚金金额(元)"),
          "amount"),
    Field("other_sentence", "其他刑罚", ("其他刑罚", "XS_QTXF", "附加刑", "其他刑罚内容", "刑罚", "判处刑罚"), max_length=500),
    Field("summary", "判决结果摘要", ("判决结果摘要", "XS_PJJGZY", "判决摘要", "判决主文", "判项", "裁判要旨", "判决内容"),
          max_length=20000),
    Field("set_aside_on", "再审撤销日期", ("再审撤销日期", "XS_ZSCXRQ", "撤销原判日期", "再审改判日期"), "date"),
    Field("source_name", "数据来源单位", ("数据来源单位", "XS_SJLY", "数据来源"), max_length=200),
    Field("source_code", "数据来源单位统一社会信用代码", ("数据来源单位统一社会信用代码", "XS_SJLYDM"), "code"),
] + _COMMON_TAIL

LAYOUTS: dict[str, list[Field]] = {"penalty": PENALTY, "licence": LICENCE, "listing": LISTING, "compulsion": COMPULSION,
                                   "judgment": JUDGMENT, "register": REGISTER}


# The 2016 national layout numbered the subject's codes differently from today's (_2 组织机构代码,
# _3 工商登记码, _4 税务登记号, _5 居民身份证号), so in an old file a bare "行政相对人代码_5" holds a
# person's ID number, which must be stored encrypted, not as a plain code.
_OLD_NUMBERED = {"行政相对人代码_2": "org_code", "行政相对人代码_3": "reg_no", "行政相对人代码_4": "tax_no",
                 "行政相对人代码_5": "subject_id"}
# Headers only the 2016 layouts have, and headers only today's have.
_OLD_MARKERS = ("处罚名称", "处罚事由", "处罚结果", "处罚类别1", "CF_CFMC", "CF_JG", "CF_XZJG", "项目名称", "审批类别",
                "XK_XMMC", "XK_SPLB", "XK_XZJG", "数据更新时间戳", "SJC")
_NEW_MARKERS = ("行政相对人类别", "CF_XDR_LB", "XK_XDR_LB", "行政相对人代码_6", "CF_XDR_SHZZ", "XK_XDR_SHZZ")
_NUMBERED_SLOT = re.compile(r"代码_\d+$")
# Columns that describe the export, not the record: a row number that changes with sorting, a timestamp
# that changes with every export. Kept, they would make a re-sent unchanged record look updated.
# 行号 and 拒收原因 are what the rejected-rows file adds (rejected.py): a fixed copy goes back in as it is.
_EXPORT_COLUMNS = ("序号", "行号", "NO", "NO.", "数据更新时间戳", "更新时间戳", "SJC", "拒收原因")


def header_key(header: str) -> str:
    """The form in which headers are compared: half-width, no spaces, no required-markers, upper case."""
    return compact(str(header)).strip("*※#").replace("：", "").replace(":", "").upper()


@dataclass
class AliasIndex:
    by_key: dict[str, Field] = field(default_factory=dict)

    @classmethod
    def for_kind(cls, kind: str, header: list[str] | None = None) -> "AliasIndex":
        """The headers of `kind`; given a file's header, bare numbered codes follow the file's generation."""
        index = cls()
        for f in LAYOUTS[kind]:
            for alias in (f.name, *f.aliases):
                index.by_key.setdefault(header_key(alias), f)
        if header is not None and is_old_layout(header):
            by_name = {f.name: f for f in LAYOUTS[kind]}
            for alias, name in _OLD_NUMBERED.items():
                if name in by_name:
                    index.by_key[header_key(alias)] = by_name[name]
        return index

    def match(self, header: str) -> Field | None:
        key = header_key(header)
        if not key:
            return None
        if key in self.by_key:
            return self.by_key[key]
        # "罚款金额(万元)" → "罚款金额"; "行政相对人代码_1(统一社会信用代码)" → either part.
        if "(" in key and key.endswith(")"):
            outer, _, inner = key[:-1].partition("(")
            if _NUMBERED_SLOT.search(outer):  # "行政相对人代码_2(组织机构代码)": the name says more than the number
                return self.by_key.get(inner) or self.by_key.get(outer)
            return self.by_key.get(outer) or self.by_key.get(inner)
        return None


def is_old_layout(header: list[str]) -> bool:
    """True for a file in the 2016 national layout (处罚名称, 处罚事由, 处罚结果 … and no 行政相对人类别)."""
    keys = {header_key(h) for h in header}
    return any(header_key(m) in keys for m in _OLD_MARKERS) and not any(header_key(m) in keys for m in _NEW_MARKERS)


_EXPORT_KEYS = frozenset(header_key(h) for h in _EXPORT_COLUMNS)


def is_export_column(header: str) -> bool:
    return header_key(header) in _EXPORT_KEYS
