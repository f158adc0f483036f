"""The audit trail in words: an action code as a Chinese verb phrase, a JSON before/after as "字段：旧值 → 新值" lines.

The entries themselves keep their codes and JSON (the hash covers them); only the page reads them out. A code
not listed here is shown as it is, so a new one is never hidden, only less readable until it is added.
"""

import dataclasses
import datetime as dt
import functools
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cleanrecord.lib.formats import wan_yuan, zh_date, zh_datetime

ACTIONS = {
    "accounts.login": gettext_lazy("登录"),
    "accounts.login_failed": gettext_lazy("登录失败"),
    "accounts.logout": gettext_lazy("退出登录"),
    "accounts.grant": gettext_lazy("授权查阅报告"),
    "accounts.grant_revoke": gettext_lazy("撤销查阅授权"),
    "accounts.token_create": gettext_lazy("创建接口令牌"),
    "accounts.token_revoke": gettext_lazy("吊销接口令牌"),
    "accounts.user_flags": gettext_lazy("更改账号状态"),
    "accounts.user_create": gettext_lazy("新建账号"),
    "accounts.user_activate": gettext_lazy("启用账号"),
    "accounts.user_deactivate": gettext_lazy("停用账号"),
    "accounts.password_reset": gettext_lazy("重置密码"),
    "accounts.role_bind": gettext_lazy("绑定角色"),
    "accounts.organisation_create": gettext_lazy("新增查阅机构"),
    "accounts.organisation_change": gettext_lazy("修改查阅机构"),
    "accounts.permissions_add": gettext_lazy("授予权限"),
    "accounts.permissions_remove": gettext_lazy("收回权限"),
    "accounts.permissions_clear": gettext_lazy("清除全部权限"),
    "accounts.groups_add": gettext_lazy("加入用户组"),
    "accounts.groups_remove": gettext_lazy("移出用户组"),
    "accounts.groups_clear": gettext_lazy("移出全部用户组"),
    "audit.rechained": gettext_lazy("审计链重新链接"),
    "freshness.nothing_new": gettext_lazy("确认本期无新增数据"),
    "freshness.feed_add": gettext_lazy("新增数据来源"),
    "objections.file": gettext_lazy("提出异议"),
    "objections.accept": gettext_lazy("受理异议"),
    "objections.reject": gettext_lazy("不予受理异议"),
    "objections.forward": gettext_lazy("转交部门核查"),
    "objections.answer": gettext_lazy("答复异议"),
    "objections.close": gettext_lazy("办结异议"),
    "objections.withdraw": gettext_lazy("撤回异议"),
    "objections.overdue": gettext_lazy("异议逾期"),
    "objections.explanation": gettext_lazy("申请情节说明"),
    "objections.explanation_request": gettext_lazy("申请情节说明"),
    "quality.scorecard_send": gettext_lazy("发送数据质量评分卡"),
    "records.import": gettext_lazy("导入数据"),
    "records.import_interrupted": gettext_lazy("导入中断"),
    "records.rejected_rows_download": gettext_lazy("下载拒收行"),
    "records.profile_create": gettext_lazy("新建导入方案"),
    "records.profile_update": gettext_lazy("修改导入方案"),
    "records.profile_delete": gettext_lazy("删除导入方案"),
    "records.created": gettext_lazy("新增记录"),
    "records.updated": gettext_lazy("更新记录"),
    "records.corrected": gettext_lazy("更正记录"),
    "records.revoked": gettext_lazy("撤销记录"),
    "records.repaired": gettext_lazy("信用修复"),
    "reference.department_change": gettext_lazy("修改部门信息"),
    "reference.department_send_for_others": gettext_lazy("更改代报送权限"),
    "reports.issue": gettext_lazy("出具报告"),
    "reports.revoke": gettext_lazy("撤销报告"),
    "reports.group_issue": gettext_lazy("出具集团报告"),
    "reports.groupauthorisation_revoke": gettext_lazy("撤销集团报告授权"),
    "settings.change": gettext_lazy("修改报告规则"),
    "signing.init": gettext_lazy("初始化签章密钥"),
    "signing.rotate": gettext_lazy("更换签章证书"),
    "signing.rotate_root": gettext_lazy("更换根证书"),
    "workdays.set_year": gettext_lazy("设置工作日历"),
}
# The admin's own entries: "<app>.<model>_add|change|delete".
ADMIN_VERBS = {"add": gettext_lazy("新增"), "change": gettext_lazy("修改"), "delete": gettext_lazy("删除")}

# Keys of the entries' JSON that are not a model's field (or name one differently).
FIELDS = {
    "entity": gettext_lazy("经营主体"), "grantee": gettext_lazy("被授权方"),
    "organisation": gettext_lazy("机构"), "role": gettext_lazy("角色"), "credit_code": gettext_lazy("统一社会信用代码"),
    "active": gettext_lazy("启用"), "valid_from": gettext_lazy("起始日期"),
    "valid_until": gettext_lazy("截止日期"), "what": gettext_lazy("对象"), "status": gettext_lazy("状态"),
    "reason": gettext_lazy("理由"), "note": gettext_lazy("说明"), "ip": gettext_lazy("地址"),
    "username": gettext_lazy("用户名"), "signing": gettext_lazy("签章证书"), "root": gettext_lazy("根证书"),
    "record": gettext_lazy("记录"), "owner": gettext_lazy("所属用户"), "name": gettext_lazy("名称"),
    "may_send_for_others": gettext_lazy("可代其他机关报送"), "kind": gettext_lazy("数据类别"),
    "workdays": gettext_lazy("调休上班日"), "holidays": gettext_lazy("放假日"), "version": gettext_lazy("版本"),
    "updated": gettext_lazy("更新"), "unchanged": gettext_lazy("未变"), "created": gettext_lazy("新增"),
    "corrected": gettext_lazy("更正"), "rejected": gettext_lazy("拒收"), "rows": gettext_lazy("行数"),
    "source": gettext_lazy("来源"), "signer": gettext_lazy("签章人"), "signed_on": gettext_lazy("签章日期"),
    "scopes": gettext_lazy("权限范围"), "records_found": gettext_lazy("记录数"), "recipients": gettext_lazy("收件人"),
    "read": gettext_lazy("读取行数"), "purpose": gettext_lazy("用途"), "period": gettext_lazy("查询期间"),
    "month": gettext_lazy("月份"), "message": gettext_lazy("消息"), "id": gettext_lazy("编号"),
    "format": gettext_lazy("格式"), "file": gettext_lazy("文件"), "expires_at": gettext_lazy("到期时间"),
    "evidence": gettext_lazy("证明材料"), "due": gettext_lazy("办理期限"), "dry_run": gettext_lazy("试运行"),
    "domains": gettext_lazy("领域"), "department": gettext_lazy("部门"), "decision": gettext_lazy("决定"),
    "category": gettext_lazy("类别"), "as_of": gettext_lazy("截至日期"), "number": gettext_lazy("报告编号"),
    "is_active": gettext_lazy("启用"), "is_staff": gettext_lazy("可登录后台"), "is_superuser": gettext_lazy("超级用户"),
    "permissions": gettext_lazy("权限"), "groups": gettext_lazy("用户组"),
    "group": gettext_lazy("集团"), "reports": gettext_lazy("报告"),
}
# Apps whose models' fields name the keys of a record's before/after (a correction's "处罚内容", "罚款金额").
FIELD_APPS = ("records", "reports", "objections", "reference", "entities", "accounts")


@dataclasses.dataclass(frozen=True)
class Change:
    field: str
    old: str | None  # None: the field was not there before (a creation), so only the new value is shown
    new: str | None  # None: the field is gone after (a deletion)

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.field}：{self.new}"
        if self.new is None:
            return f"{self.field}：{self.old} → {_('（删除）')}"
        return f"{self.field}：{self.old} → {self.new}"


def action_words(code: str) -> str:
    known = ACTIONS.get(code)
    if known is not None:
        return str(known)
    app_label, _dot, rest = code.partition(".")
    model_name, _sep, verb = rest.rpartition("_")
    if verb in ADMIN_VERBS and model_name:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return code
        return f"{ADMIN_VERBS[verb]}{model._meta.verbose_name}"
    return code


def field_words(key: str) -> str:
    known = FIELDS.get(key)
    if known is not None:
        return str(known)
    if key.endswith("_wan"):  # shown in 元 (value_words), so not named in 万元
        return _field_verbose(key).replace(_("（万元）"), "")  # the unit as the field names write it
    return _field_verbose(key)


def _field_verbose(key: str) -> str:
    verbose = _verbose_name(key)
    return str(verbose) if verbose else key  # str() here: the page's language, not the first caller's


@functools.cache
def _verbose_name(key: str) -> Any:
    """The (lazy) verbose name of the first model field called `key` in FIELD_APPS: looked up once per key, not
    once per entry shown."""
    for app_label in FIELD_APPS:
        for model in apps.get_app_config(app_label).get_models():
            try:
                field = model._meta.get_field(key)
            except FieldDoesNotExist:
                continue
            verbose = getattr(field, "verbose_name", None)  # a reverse relation has none
            if verbose:
                return verbose
    return None


def value_words(value: Any, key: str = "") -> str:
    if value is None or value == "":
        return _("（空）")
    if key.endswith("_wan") and not isinstance(value, bool):
        return wan_yuan(value)  # amounts are kept in 万元 (fine_wan): shown in 元
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(value_words(v) for v in value) or _("（空）")
    if isinstance(value, dict):
        return "；".join(f"{field_words(k)}：{value_words(v)}" for k, v in value.items())
    if isinstance(value, str):
        return _date_or_text(value)
    return str(value)


def _date_or_text(text: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) == 10:
        return zh_date(parsed.date())
    return zh_datetime(parsed)


def changes(before: Any, after: Any) -> list[Change]:
    """What an entry changed, field by field: changed fields with old → new, a creation's or deletion's values alone.
    A value that is not an object (a bare list or text) is shown as one line."""
    old, new = _as_mapping(before), _as_mapping(after)
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key in old and key in new:
            if old[key] != new[key]:
                out.append(Change(field_words(key), value_words(old[key], key), value_words(new[key], key)))
        elif key in new:
            out.append(Change(field_words(key), None, value_words(new[key], key)))
        elif new:  # a field an update dropped
            out.append(Change(field_words(key), value_words(old[key], key), None))
        else:  # a deletion: what was there
            out.append(Change(field_words(key), None, value_words(old[key], key)))
    return out


def _as_mapping(value: Any) -> dict:
    if value is None:
        return {}
    return value if isinstance(value, dict) else {"what": value}
