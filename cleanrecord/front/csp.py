"""django-csp's middleware, with the policy built once.

django-csp builds the Content-Security-Policy header afresh for every response (turning its settings into a
dataclass, into a dict, into the header), which on the verification path cost more than looking the report up.
The platform's policy is the same for every response — no view changes it (`@csp_update` and the like) and no
template asks for a nonce — so it is built once per process and set as django-csp would set it. A response or
request that does use django-csp's per-response features gets django-csp's own handling.
"""

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
                "_csp_exempt", "_csp_exempt_ro")


@functools.cache
def _policies() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, value, excluded path prefixes) for each policy the settings define."""
    built = []
    for header, setting, report_only in ((HEADER, "CONTENT_SECURITY_POLICY", False),
                                         (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True)):
        value = build_policy(report_only=report_only)
        if value:
            excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            built.append((header, value, tuple(excluded)))
    return tuple(built)


class ContentSecurityPolicy(CSPMiddleware):
    def process_response(self, request, response):
        if (settings.DEBUG or getattr(request, "_csp_nonce", None) is not None
                or any(hasattr(response, name) for name in PER_RESPONSE)):
            return super().process_response(request, response)
        for header, value, excluded in _policies():
            if header not in response and not request.path_info.startswith(excluded):
                response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
