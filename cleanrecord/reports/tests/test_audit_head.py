"""Every issued report carries the audit trail's head and its last signed checkpoint, in the snapshot and in print."""

import datetime as dt

import pytest
from django.utils import timezone

from cleanrecord.audit import checkpoints
from cleanrecord.audit.models import AuditEntry
from cleanrecord.audit.services import record_event
from cleanrecord.reports.services import issue_report

from .factories import entity, penalty
from .test_issue import pdf_text

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]


@pytest.fixture
def checkpoint_dir(tmp_path, settings):
    folder = tmp_path / "audit-checkpoints"
    settings.CLEANRECORD = {**settings.CLEANRECORD, "AUDIT_CHECKPOINT_DIR": str(folder)}
    return folder


@pytest.fixture
def company(db):
    e = entity(name="兰州审计链头测试有限公司")
    penalty(e, timezone.localdate() - dt.timedelta(days=30), decision_no="兰市监罚〔2026〕9号")
    return e


def issue(company):
    return issue_report(credit_code=company.credit_code, domains=["market-regulation"], purpose="finance")


def test_a_report_prints_the_chain_head_and_takes_the_days_checkpoint(company, checkpoint_dir):
    head = record_event(user=None, action="test.before-report", target="thing:1")
    report = issue(company)
    (checkpoint,) = checkpoints.load_all()
    assert checkpoint.problem == "" and checkpoint.entry_id == head.id
    audit_head = report.snapshot["audit_head"]
    assert audit_head["entry_id"] == head.id and audit_head["hash"] == head.hash[:16]
    assert dt.datetime.fromisoformat(audit_head["checkpoint_at"]) == checkpoint.at.replace(microsecond=0)
    text = pdf_text(report.pdf_bytes())
    assert f"审计日志链头 #{head.id} {head.hash[:16]}，签名检查点 " in text
    # The report's own issue is the newest entry now; the next report names it, with the same checkpoint.
    issued = AuditEntry.objects.get(action="reports.issue", target=f"report:{report.number}")
    second = issue(company)
    assert second.snapshot["audit_head"]["entry_id"] == issued.id
    assert second.snapshot["audit_head"]["checkpoint_at"] == audit_head["checkpoint_at"]
    assert len(checkpoints.load_all()) == 1


def test_a_report_is_issued_when_no_checkpoint_can_be_taken(company, checkpoint_dir):
    checkpoint_dir.write_text("a file where the directory should be")
    report = issue(company)
    assert report.snapshot["audit_head"]["checkpoint_at"] is None
    assert "签名检查点 无" in pdf_text(report.pdf_bytes())
