"""The JSON API under /api/v1/, documented at /api/v1/openapi.json and /api/v1/docs."""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import django_auth

from cleanrecord.accounts.tokens import InvalidToken, TokenAuth
from cleanrecord.entities.api import router as entities_router
from cleanrecord.freshness.api import router as nothing_new_router
from cleanrecord.lib.refusals import Refused
from cleanrecord.matters.api import router as matters_router
from cleanrecord.records.api import entities_router as entity_records_router
from cleanrecord.records.api import router as imports_router
from cleanrecord.reports.api import entities_router as entity_reports_router
from cleanrecord.reports.api import router as reports_router
from cleanrecord.verification.api import router as verify_router


class SiteSwagger(Swagger):
    """Swagger UI (vendored by django-ninja) in a page that says its language and darkens its colours to a readable
    contrast (front/api_docs.html, front/api-docs.css)."""

    template = "front/api_docs.html"


api = NinjaAPI(
    title="cleanrecord API",
    version="1",
    description=(
        "信用信息共享平台接口：经营主体、信用记录与数据导入。\n\n"
        "其他系统使用接口令牌访问：请求头 `Authorization: Bearer cr_…`。令牌代表其所属用户（部门报送员只能"
        "操作本部门数据），并只能在其权限范围内调用：`imports:write` 报送数据并查看导入结果；"
        "`reports:read` 查询经营主体、信用记录和报告；`reports:write` 出具和撤销报告；`verify` 核验报告"
        "（核验接口公开，无需令牌）。已登录的浏览器会话同样可以调用。"
    ),
    urls_namespace="api",
    # A bearer token first; without one, the browser's session. Bad tokens are refused, not passed on.
    auth=[TokenAuth(), django_auth],
    # No deep links: Swagger UI puts each operation's link inside the button that opens it (nested controls a
    # screen reader or a keyboard cannot use apart).
    docs=SiteSwagger(settings={"deepLinking": False}),
)
# Verification first: its requests, the busiest, are matched before the other routers' routes are tried.
api.add_router("/verify", verify_router, tags=["报告核验"])
api.add_router("/entities", entities_router, tags=["经营主体"])
api.add_router("/entities", entity_records_router, tags=["经营主体"])
api.add_router("/entities", entity_reports_router, tags=["经营主体"])
api.add_router("/imports", imports_router, tags=["数据导入"])
api.add_router("/nothing-new", nothing_new_router, tags=["数据导入"])
api.add_router("/matters", matters_router, tags=["应替尽替事项清单"])
api.add_router("/reports", reports_router, tags=["专用信用报告"])


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": gettext("请先登录")}, status=401)


@api.exception_handler(InvalidToken)
def invalid_token(request, exc: InvalidToken):
    response = api.create_response(request, {"detail": exc.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or gettext("无权访问")}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or gettext("未找到")}, status=404)


@api.exception_handler(Refused)
def refused(request, exc: Refused):
    # A service said no: its Chinese sentence is the answer, with the status its kind of refusal has.
    return api.create_response(request, {"detail": str(exc)}, status=exc.status)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


# pydantic's error types, said in Chinese: the only error text that reaches an API caller is ours.
_INVALID = {
    "missing": _("缺少必填项"), "date_parsing": _("应为日期（YYYY-MM-DD）"),
    "date_from_datetime_parsing": _("应为日期（YYYY-MM-DD）"), "date_from_datetime_inexact": _("应为日期（YYYY-MM-DD）"),
    "date_type": _("应为日期（YYYY-MM-DD）"),
    "string_type": _("应为文本"), "string_too_long": _("过长"), "list_type": _("应为列表"), "too_long": _("项数过多"),
    "bool_parsing": _("应为 true 或 false"), "bool_type": _("应为 true 或 false"), "int_parsing": _("应为整数"),
    "int_type": _("应为整数"), "json_invalid": _("不是有效的 JSON"), "model_attributes_type": _("应为 JSON 对象"),
    "dict_type": _("应为 JSON 对象"),
}


def _field_name(loc) -> str:
    # pydantic also names the branch of a union ("list[constrained-str]"): only field names are kept.
    parts = [str(p) for p in loc if p not in ("body", "form", "query", "path", "file", "payload")
             and re.fullmatch(r"\w+", str(p))]
    return ".".join(parts) or gettext("请求内容")


@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    problems = []
    for e in exc.errors:
        reason = str(_INVALID.get(e.get("type", ""), _("格式不正确")))
        limit = (e.get("ctx") or {}).get("max_length")
        if limit is not None:
            reason += gettext("（最多 %(limit)s）") % {"limit": limit}
        problems.append({"field": _field_name(e.get("loc", ())), "reason": reason})
    listed = pgettext("between the problems of a request", "；").join(
        pgettext("a request's problem: field, then what is wrong", "%(field)s%(reason)s") % p for p in problems)
    detail = gettext("请求内容不符合要求：%(problems)s") % {"problems": listed}
    return api.create_response(request, {"detail": detail, "errors": problems}, status=422)
