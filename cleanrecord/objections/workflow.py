"""Moving objections and severity explanation requests along (domain brief §8).

    file_objection → accept | reject → forward → answer (维持 / 更正 / 撤销) → close;  withdraw while open

Each step checks who is acting (the bound entity files and withdraws, only the office accepts,
forwards and closes, only the record's source department answers), refuses a step the objection's
state does not allow, sets the next deadline in working days on the official calendar, writes an
ObjectionEvent and an audit entry, and tells the party whose turn it is — and the entity on every
outcome. A correction or revocation goes through records.changes, the path every change of a record
takes, so it becomes a new version of the record.
"""

import dataclasses
import datetime as dt
import hashlib
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidTag
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from cleanrecord import conf
from cleanrecord.accounts.models import acts_for, is_office
from cleanrecord.accounts.notify import department_clerks, entity_users, notify, office_users
from cleanrecord.audit.services import record_event
from cleanrecord.lib import fieldcrypt
from cleanrecord.lib.refusals import Refused
from cleanrecord.lib.text import has_control
from cleanrecord.records import changes
from cleanrecord.records.models import KIND_LABELS, RECORD_MODELS, CreditRecord, RecordStatus
from cleanrecord.workdays.services import add_working_days

from .models import Evidence, ExplanationRequest, Objection, ObjectionEvent, SeverityExplanation

S = Objection.Status
OBJECTABLE = ("penalty", "listing", "compulsion", "judgment")  # what reports show
# Decisions the deciding body may explain the severity of: a penalty, a compulsion (its 实施机关), a judgment (its court).
EXPLAINABLE = ("penalty", "compulsion", "judgment")

ACTION_LABELS = ObjectionEvent.LABELS

# action → (the states it may start from, the state it leads to, who may take it)
OFFICE, DEPARTMENT, ENTITY = "office", "department", "entity"
STEPS = {
    "accept": ({S.SUBMITTED}, S.ACCEPTED, OFFICE),
    "reject": ({S.SUBMITTED}, S.REJECTED, OFFICE),
    "forward": ({S.ACCEPTED}, S.FORWARDED, OFFICE),
    "answer": ({S.FORWARDED}, S.ANSWERED, DEPARTMENT),
    "close": ({S.ANSWERED}, S.CLOSED, OFFICE),
    "withdraw": ({S.SUBMITTED, S.ACCEPTED, S.FORWARDED}, S.WITHDRAWN, ENTITY),
}
ROLE_REFUSALS = {OFFICE: gettext_lazy("仅信用办可办理此环节"), DEPARTMENT: gettext_lazy("仅该记录的数据来源部门可以答复"),
                 ENTITY: gettext_lazy("仅该经营主体的绑定用户可以办理")}

EVIDENCE_TYPES = (  # checked by the file's first bytes, never by its name or the browser's word
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


# -- who is who -------------------------------------------------------------------------------------

def is_source_clerk(user, department_id) -> bool:
    clerk = getattr(user, "clerk", None) if user.is_authenticated and user.is_active else None
    return clerk is not None and department_id is not None and clerk.department_id == department_id


def has_role(user, role: str, objection) -> bool:
    if role == OFFICE:
        return is_office(user)
    if role == DEPARTMENT:
        return is_source_clerk(user, objection.department_id)
    return acts_for(user, objection.subject_key)


def may_view(user, objection: Objection) -> bool:
    """The entity's users and the office always; the source department once it has been forwarded."""
    if is_office(user) or acts_for(user, objection.subject_key):
        return True
    return is_source_clerk(user, objection.department_id) and (
        objection.status in (S.FORWARDED, S.ANSWERED, S.CLOSED) or objection.events.filter(action="forward").exists())


def actions_for(user, objection: Objection) -> list[str]:
    """The steps `user` may take on `objection` now."""
    return [a for a, (start, _, role) in STEPS.items() if objection.status in start and has_role(user, role, objection)]


def record_of(kind: str, subject_key: str, record_id: int) -> CreditRecord | None:
    model = RECORD_MODELS.get(kind)
    return model.objects.for_subject(subject_key).filter(pk=record_id).select_related("department").first() if model else None


def _url(objection: Objection) -> str:
    return reverse("objection-detail", args=[objection.pk])


def setting(name: str) -> int:
    """An objection setting (days, bytes, files) as a number."""
    return int(conf.get(name))


# -- evidence ---------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Checked:
    name: str
    content_type: str
    data: bytes


def check_evidence(files) -> list[_Checked]:
    """Every file is a PDF, JPG or PNG by its content and within the size limit; else nothing is kept."""
    limit, most = setting("OBJECTION_EVIDENCE_MAX_BYTES"), setting("OBJECTION_EVIDENCE_MAX_FILES")
    files = [f for f in files if f is not None]
    if len(files) > most:
        raise Refused(gettext("证明材料最多 %(most)s 个文件，本次选择了 %(len_files)s 个")
                      % {"most": most, "len_files": len(files)}, field="evidence")
    out = []
    for f in files:
        name = Path(f.name or gettext("材料")).name[:200]
        if f.size > limit:
            raise Refused(gettext("文件“%(name)s”大小为 %(size_mb).1f MB，超过 %(limit_mb).0f MB 的上限")
                          % {"name": name, "size_mb": f.size / 1048576, "limit_mb": limit / 1048576}, field="evidence")
        data = f.read(limit + 1)
        if not data:
            raise Refused(gettext("文件“%(name)s”是空文件") % {"name": name}, field="evidence")
        kind = next((t for t in EVIDENCE_TYPES if data.startswith(t[0])), None)
        if kind is None:
            raise Refused(gettext("文件“%(name)s”不是 PDF、JPG 或 PNG 文件（按文件内容检查），请转换后再上传")
                          % {"name": name}, field="evidence")
        _, content_type, suffix = kind
        if Path(name).suffix.lower() not in (suffix, ".jpeg" if suffix == ".jpg" else suffix):
            name = f"{Path(name).stem}{suffix}"
        out.append(_Checked(name, content_type, data))
    return out


def evidence_path(e: Evidence) -> Path:
    return Path(conf.get("EVIDENCE_DIR")) / e.stored_as[:2] / e.stored_as


def read_evidence(e: Evidence) -> bytes | None:
    """The file as uploaded, or None when it is missing or no longer what was stored (checked by its SHA-256)."""
    path = evidence_path(e)
    try:
        data = fieldcrypt.decrypt_bytes(path.read_bytes())
    except (OSError, ValueError, InvalidTag):
        return None
    return data if hashlib.sha256(data).hexdigest() == e.sha256 else None


def _store(objection: Objection, checked: list[_Checked]) -> list[Path]:
    written = []
    for c in checked:
        e = Evidence(objection=objection, subject_key=objection.subject_key, name=c.name, content_type=c.content_type, size=len(c.data),
                     sha256=hashlib.sha256(c.data).hexdigest(), stored_as=uuid.uuid4().hex)
        path = evidence_path(e)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_bytes(fieldcrypt.encrypt_bytes(c.data))  # papers may show ID cards: encrypted at rest
        path.chmod(0o600)
        written.append(path)
        e.save()
    return written


TEXT_MAX = 5000  # statements, answers, notes and explanations


def bounded(value: str, label: str, most: int) -> None:
    """Refuse a text longer than its column, or one with control characters, rather than cut or crash."""
    if len(value) > most:
        raise Refused(gettext("%(label)s过长（%(len_value)s 字，最多 %(most)s 字）")
                      % {"label": label, "len_value": len(value), "most": most})
    if has_control(value, text=True):
        raise Refused(gettext("%(label)s中含有不允许的控制字符（如 NUL），请删除后重试") % {"label": label})


# -- the steps --------------------------------------------------------------------------------------

def file_objection(*, user, kind: str, subject_key: str, record_id: int, reason: str, statement: str,
                   files=(), report_number: str = "") -> Objection:
    """The entity objects to one of its records; the record is labelled 异议处理中 from this moment."""
    if not acts_for(user, subject_key):
        raise PermissionDenied(str(ROLE_REFUSALS[ENTITY]))
    record = record_of(kind, subject_key, record_id) if kind in OBJECTABLE else None
    if record is None or record.confidential:
        raise Refused(gettext("未找到该记录"))
    if record.status == RecordStatus.REVOKED:
        raise Refused(gettext("该记录已撤销，不再计入报告，无需提出异议"))
    if reason not in Objection.Reason.values:
        raise Refused(gettext("请选择异议类型"), field="reason")
    statement = statement.strip()
    if len(statement) < 5:
        raise Refused(gettext("请填写异议理由（至少 5 个字），说明记录哪里有误"), field="statement")
    bounded(statement, gettext("异议理由"), TEXT_MAX)
    bounded(report_number, gettext("所涉报告编号"), 40)
    checked = check_evidence(files)
    today = timezone.localdate()
    written: list[Path] = []
    try:
        with transaction.atomic():
            type(record).objects.select_for_update().filter(pk=record.pk).first()  # one objection at a time per record
            existing = Objection.objects.open().filter(subject_key=subject_key, kind=kind, record_id=record_id).first()
            if existing is not None:
                raise Refused(gettext("该记录已有正在处理的异议（%(existing_number)s），请勿重复提出")
                              % {"existing_number": existing.number})
            objection = Objection.objects.create(
                kind=kind, record_id=record_id, subject_key=subject_key, department_id=record.department_id,
                record_number=record.natural_number[:200], reason=reason, statement=statement[:5000],
                filed_by=user, report_number=report_number[:40],
                due_on=add_working_days(today, setting("OBJECTION_ACCEPT_DAYS")),
                hard_due_on=add_working_days(today, setting("OBJECTION_MAX_DAYS")))
            written = _store(objection, checked)
            _event(objection, "file", user, gettext("经营主体"), statement)
            record_event(user=user, action="objections.file", target=f"objection:{objection.pk}",
                         after={"record": f"{kind}:{record_id}", "reason": reason, "evidence": len(checked),
                                "status": objection.status})
            notify(office_users(), gettext("新的异议待受理：%(number)s") % {"number": objection.number},
                   gettext("%(name)s 对 %(record)s 提出异议（%(reason)s），请于 %(due)s 前受理并转办。")
                   % {"name": record.subject_name, "record": record.natural_number,
                      "reason": objection.get_reason_display(), "due": objection.due_on}, _url(objection))
            notify([user], gettext("异议已提交：%(number)s") % {"number": objection.number},
                   gettext("您对 %(record)s 的异议已提交，记录已标注“异议处理中”。信用办将于 %(due)s 前受理，办结期限 %(hard_due)s。")
                   % {"record": record.natural_number, "due": objection.due_on, "hard_due": objection.hard_due_on},
                   _url(objection))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return objection


def _event(objection: Objection, action: str, user, role: str, note: str = "") -> None:
    ObjectionEvent.objects.create(objection=objection, subject_key=objection.subject_key, actor=user if user is not None and user.is_authenticated else None,
                                  actor_role=role, action=action, status=objection.status, note=note[:5000])


def _role_label(role: str, objection: Objection) -> str:
    if role == DEPARTMENT:
        return objection.department.name if objection.department else gettext("数据来源部门")
    return {OFFICE: gettext("信用办"), ENTITY: gettext("经营主体")}[role]


@transaction.atomic
def step(objection: Objection, action: str, *, user, note: str = "", decision: str = "", values: dict | None = None,
         repair: tuple[str, dt.date] | None = None) -> Objection:
    """Take one step; `decision`, `values` and `repair` are the department's answer."""
    if action not in STEPS:
        raise Refused(gettext("未知的办理环节"))
    start, end, role = STEPS[action]
    objection = Objection.objects.select_for_update(of=("self",)).select_related("department").get(pk=objection.pk)
    if not has_role(user, role, objection):
        raise PermissionDenied(str(ROLE_REFUSALS[role]))
    if objection.status not in start:
        raise Refused(gettext("异议当前状态为“%(status)s”，不能%(action)s")
                      % {"status": objection.get_status_display(), "action": ACTION_LABELS[action]})
    note = note.strip()
    if action in ("reject", "answer") and len(note) < 2:
        raise Refused(gettext("请填写不予受理的理由") if action == "reject" else gettext("请填写答复意见"), field="note")
    bounded(note, gettext("意见"), TEXT_MAX)
    before = objection.status
    today = timezone.localdate()
    if action == "answer":
        _apply_answer(objection, user=user, decision=decision, note=note, values=values or {}, repair=repair)
    objection.status = end
    if action == "forward":  # accepting keeps the deadline: acceptance and forwarding share it
        answer_by = add_working_days(today, setting("OBJECTION_ANSWER_DAYS"))
        objection.due_on = min(d for d in (answer_by, objection.hard_due_on) if d is not None)
    elif action == "answer":
        objection.due_on = objection.hard_due_on
    if end in Objection.CLOSED:
        objection.closed_at = timezone.now()
        objection.due_on = None
    if action in ("reject", "close") and note:
        objection.office_note = note[:5000]
    objection.save()
    _event(objection, action, user, _role_label(role, objection), note)
    record_event(user=user, action=f"objections.{action}", target=f"objection:{objection.pk}",
                 before={"status": before},
                 after={"status": end, "note": note[:500], **({"decision": decision, "corrected": objection.corrected}
                                                               if action == "answer" else {})})
    _tell(objection, action, user, note)
    return objection


def _apply_answer(objection: Objection, *, user, decision: str, note: str, values: dict,
                  repair: tuple[str, dt.date] | None) -> None:
    if decision not in Objection.Decision.values:
        raise Refused(gettext("请选择答复结论：维持、更正或撤销"), field="decision")
    record = record_of(objection.kind, objection.subject_key, objection.record_id)
    if record is None:
        raise Refused(gettext("该记录已不存在"))
    reason = gettext("异议 %(number)s：%(note)s") % {"number": objection.number, "note": note}
    corrected = {}
    if decision == Objection.Decision.CORRECT:
        values = {k: v for k, v in values.items() if getattr(record, k, object()) != v}
        if not values and repair is None:
            raise Refused(gettext("答复“更正”时请填写更正后的内容（至少一项与原记录不同）"))
        corrected = {k: [display_value(getattr(record, k)), display_value(v)] for k, v in values.items()}
        if values:
            record = changes.correct(record, values=values, reason=reason, user=user)
        if repair is not None:
            record = changes.mark_repaired(record, decision=repair[0], on=repair[1], user=user)
            corrected["repaired"] = ["", f"{repair[1]} {repair[0]}"]
    elif decision == Objection.Decision.REVOKE:
        if record.status == RecordStatus.REVOKED:
            raise Refused(gettext("该记录已撤销"))
        changes.revoke(record, reason=reason, user=user)
    objection.decision = decision
    objection.answer = note[:5000]
    objection.corrected = corrected


def display_value(value) -> str:
    """A column's value as a form shows it and the objection's correction list keeps it."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _tell(objection: Objection, action: str, user, note: str) -> None:
    """The party whose turn it is, and the entity on every outcome."""
    n, url = objection.number, _url(objection)
    entity, office = entity_users(objection.subject_key), office_users()
    clerks = department_clerks(objection.department_id)
    about = {"record": objection.record_number, "number": n}
    if action == "accept":
        notify(entity, gettext("异议已受理：%(number)s") % about,
               gettext("关于 %(record)s 的异议（%(number)s）已由信用办受理，将转数据来源部门核查。") % about, url)
    elif action == "reject":
        notify(entity, gettext("异议不予受理：%(number)s") % about,
               gettext("关于 %(record)s 的异议（%(number)s）不予受理。理由：%(note)s") % {**about, "note": note}, url)
    elif action == "forward":
        notify(clerks, gettext("异议待答复：%(number)s") % about,
               gettext("信用办转来关于 %(record)s 的异议（%(number)s），请于 %(due)s 前核查并答复（维持/更正/撤销）。")
               % {**about, "due": objection.due_on}, url)
        notify(entity, gettext("异议已转办：%(number)s") % about,
               gettext("关于 %(record)s 的异议（%(number)s）已转 %(department)s 核查。")
               % {**about, "department": objection.department_name}, url)
    elif action == "answer":
        notify(office, gettext("部门已答复异议：%(number)s") % about,
               gettext("%(department)s答复：%(decision)s。请审核办结。")
               % {"department": objection.department_name, "decision": objection.get_decision_display()}, url)
    elif action == "close":
        outcome = {"uphold": gettext("维持原记录"), "correct": gettext("记录已更正"),
                   "revoke": gettext("记录已撤销")}.get(objection.decision, "")
        closed = {**about, "outcome": outcome, "answer": objection.answer, "note": note}
        notify(entity, gettext("异议已办结：%(number)s") % about,
               gettext("关于 %(record)s 的异议（%(number)s）已办结，处理结果：%(outcome)s。部门意见：%(answer)s；信用办意见：%(note)s")
               % closed if note else
               gettext("关于 %(record)s 的异议（%(number)s）已办结，处理结果：%(outcome)s。部门意见：%(answer)s") % closed, url)
        notify(clerks, gettext("异议已办结：%(number)s") % about,
               gettext("关于 %(record)s 的异议（%(number)s）已由信用办审核办结。") % about, url)
    elif action == "withdraw":
        notify(office, gettext("异议已撤回：%(number)s") % about,
               gettext("经营主体撤回了关于 %(record)s 的异议（%(number)s）。") % about, url)
        if objection.events.filter(action="forward").exists():
            notify(clerks, gettext("异议已撤回：%(number)s") % about,
                   gettext("经营主体撤回了关于 %(record)s 的异议（%(number)s），无需答复。") % about, url)


# -- deadlines --------------------------------------------------------------------------------------

def notify_overdue(today: dt.date | None = None) -> int:
    """Tell the office (and the department, at its step) of each objection that has just become overdue.

    Each objection is told once per step; run nightly (`objection_deadlines`). Returns how many were told.
    """
    today = today or timezone.localdate()
    told = 0
    for objection in Objection.objects.overdue(today).select_related("department"):
        if objection.overdue_notified == objection.status:
            continue
        due = min(d for d in (objection.due_on, objection.hard_due_on) if d is not None)
        text = (gettext("异议 %(number)s（%(record)s）当前环节“%(status)s”已超过期限 %(due)s，请尽快办理。")
                % {"number": objection.number, "record": objection.record_number,
                   "status": objection.get_status_display(), "due": due})
        subject = gettext("异议逾期：%(number)s") % {"number": objection.number}
        with transaction.atomic():
            notify(office_users(), subject, text, _url(objection))
            if objection.status == S.FORWARDED:
                notify(department_clerks(objection.department_id), subject, text, _url(objection))
            Objection.objects.filter(pk=objection.pk).update(overdue_notified=objection.status)
            record_event(user=None, action="objections.overdue", target=f"objection:{objection.pk}",
                         after={"status": objection.status, "due": due.isoformat()})
        told += 1
    for req in ExplanationRequest.objects.filter(status=ExplanationRequest.Status.REQUESTED, due_on__lt=today,
                                                 overdue_notified=False).select_related("department"):
        text = (gettext("情节严重程度说明申请 %(number)s（%(record)s）已超过出具期限 %(due)s。")
                % {"number": req.number, "record": req.record_number, "due": req.due_on})
        with transaction.atomic():
            notify([*department_clerks(req.department_id), *office_users()],
                   gettext("情节说明逾期：%(number)s") % {"number": req.number}, text,
                   reverse("explanation-detail", args=[req.pk]))
            ExplanationRequest.objects.filter(pk=req.pk).update(overdue_notified=True)
        told += 1
    return told


# -- severity explanations --------------------------------------------------------------------------

@transaction.atomic
def request_explanation(*, user, subject_key: str, record_id: int, reason: str,
                        kind: str = "penalty") -> ExplanationRequest:
    if not acts_for(user, subject_key):
        raise PermissionDenied(str(ROLE_REFUSALS[ENTITY]))
    record = record_of(kind, subject_key, record_id) if kind in EXPLAINABLE else None
    if record is None or record.confidential or record.status == RecordStatus.REVOKED:
        raise Refused(gettext("未找到该%(kind)s记录") % {"kind": KIND_LABELS.get(kind, '')})
    bounded(reason.strip(), gettext("申请理由"), 2000)
    if ExplanationRequest.objects.filter(subject_key=subject_key, kind=kind, record_id=record_id,
                                         status=ExplanationRequest.Status.REQUESTED).exists():
        raise Refused(gettext("该记录已有待出具的情节说明申请，请勿重复申请"))
    req = ExplanationRequest.objects.create(
        kind=kind, record_id=record_id, subject_key=subject_key, department_id=record.department_id,
        record_number=record.natural_number[:200], reason=reason.strip()[:2000], requested_by=user,
        due_on=add_working_days(timezone.localdate(), setting("EXPLANATION_DAYS")))
    record_event(user=user, action="objections.explanation_request", target=f"explanation_request:{req.pk}",
                 after={"record": f"{kind}:{record_id}", "department": record.department_id})
    url = reverse("explanation-detail", args=[req.pk])
    notify(department_clerks(record.department_id), gettext("情节严重程度说明申请：%(number)s") % {"number": req.number},
           gettext("%(name)s 申请对 %(record)s 出具情节严重程度说明，请于 %(due)s 前出具。")
           % {"name": record.subject_name, "record": record.natural_number, "due": req.due_on}, url)
    notify([user], gettext("情节说明申请已提交：%(number)s") % {"number": req.number},
           gettext("%(department)s 将于 %(due)s 前出具。") % {"department": record.department.name, "due": req.due_on}, url)
    return req


@transaction.atomic
def write_explanation(req: ExplanationRequest, *, user, category: str, text: str, signer: str,
                      signed_on: dt.date) -> SeverityExplanation:
    req = ExplanationRequest.objects.select_for_update().select_related("department").get(pk=req.pk)
    if not is_source_clerk(user, req.department_id):
        raise PermissionDenied(gettext("仅作出处理决定的部门可以出具情节严重程度说明"))
    if req.status != ExplanationRequest.Status.REQUESTED:
        raise Refused(gettext("该申请已出具说明"))
    category, text, signer = category.strip(), text.strip(), signer.strip()
    if category not in SeverityExplanation.Category.values:
        raise Refused(gettext("请选择严重程度认定"), field="category")
    if len(text) < 5:
        raise Refused(gettext("请填写说明内容（至少 5 个字）"), field="text")
    bounded(text, gettext("说明内容"), TEXT_MAX)
    if not signer:
        raise Refused(gettext("请填写出具单位"), field="signer")
    bounded(signer, gettext("出具单位"), 200)
    if signed_on > timezone.localdate():
        raise Refused(gettext("出具日期不能晚于今天"), field="signed_on")
    explanation = SeverityExplanation.objects.create(
        kind=req.kind, record_id=req.record_id, subject_key=req.subject_key, category=category, text=text[:5000],
        signer=signer[:200], signed_on=signed_on, department_id=req.department_id, author=user)
    req.status, req.explanation = ExplanationRequest.Status.ANSWERED, explanation
    req.save(update_fields=["status", "explanation"])
    record_event(user=user, action="objections.explanation", target=f"explanation_request:{req.pk}",
                 after={"category": category, "signer": signer, "signed_on": signed_on.isoformat()})
    notify(entity_users(req.subject_key), gettext("情节严重程度说明已出具：%(number)s") % {"number": req.number},
           gettext("%(department)s对 %(record)s 出具说明：%(category)s。此后出具的专用信用报告将在该记录下列示此说明。")
           % {"department": req.department.name, "record": req.record_number, "category": category},
           reverse("explanation-detail", args=[req.pk]))
    return explanation
