"""The JSON API under /api/v1/, documented at /api/v1/openapi.json and /api/v1/docs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.security import django_auth

from cleanrecord.accounts.tokens import InvalidToken, TokenAuth
from cleanrecord.entities.api import router as entities_router
from cleanrecord.records.api import router as imports_router
from cleanrecord.reports.api import router as reports_router
from cleanrecord.verification.api import router as verify_router

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
)
api.add_router("/entities", entities_router, tags=["经营主体"])
api.add_router("/imports", imports_router, tags=["数据导入"])
api.add_router("/reports", reports_router, tags=["专用信用报告"])
api.add_router("/verify", verify_router, tags=["报告核验"])


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "请先登录"}, status=401)


@api.exception_handler(InvalidToken)
def invalid_token(request, exc: InvalidToken):
    response = api.create_response(request, {"detail": exc.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权访问"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "未找到"}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)
