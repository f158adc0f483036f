from django.conf import settings


def platform(request):
    return {"platform_name": settings.CLEANRECORD.get("PLATFORM_NAME", "信用信息共享平台")}
