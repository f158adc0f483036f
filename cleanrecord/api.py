"""The JSON API under /api/v1/, documented at /api/v1/openapi.json and /api/v1/docs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.security import django_auth

from cleanrecord.entities.api import router as entities_router
from cleanrecord.records.api import router as imports_router
from cleanrecord.reports.api import router as reports_router
from cleanrecord.verification.api import router as verify_router

api = NinjaAPI(
    title="cleanrecord API",
    version="1",
    description="信用信息共享平台接口：经营主体、信用记录与数据导入。",
    urls_namespace="api",
    auth=django_auth,
)
api.add_router("/entities", entities_router, tags=["经营主体"])
api.add_router("/imports", imports_router, tags=["数据导入"])
api.add_router("/reports", reports_router, tags=["专用信用报告"])
api.add_router("/verify", verify_router, tags=["报告核验"])


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "请先登录"}, status=401)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权访问"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "未找到"}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)
