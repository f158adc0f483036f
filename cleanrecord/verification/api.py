from django.http import HttpRequest
from ninja import Router, Schema

from . import services
from .models import Channel, Result

router = Router(auth=None)  # verification is public: banks and evaluators need no account


class ChangeOut(Schema):
    domain: str
    number: str
    what: str


class DomainOut(Schema):
    code: str
    name: str
    found: int
    statement: str


class VerifyOut(Schema):
    result: str
    result_label: str
    number: str | None = None
    entity_name: str | None = None
    credit_code: str | None = None
    issued_at: str | None = None
    valid_until: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    revoked_reason: str | None = None
    domains: list[DomainOut] = []
    changes: list[ChangeOut] = []
    changed_since_issue: bool = False


class TooMany(Schema):
    detail: str
    retry_after: int


def verification_out(v: services.Verification) -> dict:
    out = {"result": v.result, "result_label": v.label}
    if v.report is not None:
        s = v.snapshot
        out.update(
            number=s["number"], entity_name=s["entity"]["name"], credit_code=s["entity"]["credit_code"],
            issued_at=s["issued_at"], valid_until=s["valid_until"], period_start=s["query"]["start"],
            period_end=s["query"]["end"], revoked_reason=v.report.revoke_reason or None,
            domains=[{k: d[k] for k in ("code", "name", "found", "statement")} for d in s["summary"]],
            changes=[c.__dict__ for c in v.changes], changed_since_issue=bool(v.changes),
        )
    return out


@router.get("/{code}", response={200: VerifyOut, 404: VerifyOut, 429: TooMany}, summary="按核验码核验报告")
def verify_by_code(request: HttpRequest, code: str):
    """真实有效 (authentic) / 已撤销 (revoked) / 已过期 (expired) / 未找到 (not found), what the report says,
    and what changed on the platform since it was issued. Unknown codes count against a per-client budget."""
    client = services.client_key(request)
    wait = services.retry_after(client)
    if wait:
        return 429, {"detail": f"核验请求过于频繁，请在 {wait} 秒后重试", "retry_after": wait}
    v = services.verify_code(code, channel=Channel.API, client=client)
    if v.result == Result.NOT_FOUND:
        services.spend(client)
        return 404, verification_out(v)
    return 200, verification_out(v)
