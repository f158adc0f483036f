"""The public site: the home page, the entity search and each entity's public page (read from the replica when
there is one)."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from cleanrecord import conf
from cleanrecord.entities.models import Entity
from cleanrecord.lib import replica
from cleanrecord.lib.identifiers import find_id_numbers, looks_like_id_number, mask_id_numbers_in
from cleanrecord.records.models import Compulsion, Judgment, Licence, Listing, Penalty, Verdict
from cleanrecord.reference.models import Domain, Region
from cleanrecord.reports.rules import rule


@replica.replica_reads
def home(request):
    return render(request, "front/home.html", {
        "domains": Domain.objects.all(),
        "region": Region.objects.filter(parent=None).first(),
    })


@replica.replica_reads
def entity_search(request):
    q = request.GET.get("q", "").strip()[:100]
    if find_id_numbers(q):
        # Natural persons' records are not public: a search by an ID number answers nothing, not even "none".
        return render(request, "front/search.html", {"q": mask_id_numbers_in(q), "results": [], "id_number": True})
    results = [e for e in Entity.objects.search(q).order_by("name")[:50]
               if not looks_like_id_number(e.credit_code)] if q else []
    return render(request, "front/search.html", {"q": q, "results": results})


@replica.replica_reads
def entity_detail(request, code: str):
    # An ID number stored as a code before imports refused them (check_personal_ids finds those) is no
    # entity's page: it answers as if unknown.
    entity = None if looks_like_id_number(code) else replica.or_from_primary(
        lambda: Entity.objects.filter(credit_code=code.upper()).first())
    if entity is None:
        raise Http404(gettext("未找到该经营主体"))
    today = timezone.localdate()
    # What 信用中国 shows: public penalties still inside their publicity period, current listings.
    penalties = (Penalty.objects.for_subject(entity.credit_code).public().filter(not_penalised=False)
                 .exclude(publish_until__lt=today).select_related("domain").order_by("-decided_on"))
    listings = (Listing.objects.for_subject(entity.credit_code).public().filter(status="active")
                .select_related("domain").order_by("-listed_on"))
    licences = Licence.objects.for_subject(entity.credit_code).public().order_by("-decided_on")[:20]
    # 行政强制 in force or lifted (labelled), never revoked ones; criminal judgments in force: not 无罪, not set aside.
    compulsions = (Compulsion.objects.for_subject(entity.credit_code).public().select_related("domain")
                   .order_by("-decided_on"))
    judgments = (Judgment.objects.for_subject(entity.credit_code).public().filter(set_aside_on=None)
                 .exclude(verdict=Verdict.ACQUITTED).order_by("-effective_on"))
    return render(request, "front/entity.html", {
        "entity": entity, "penalties": penalties, "listings": listings, "licences": licences,
        "compulsions": compulsions, "judgments": judgments,
    })


# -- help pages: static text, for anyone ---------------------------------------------------------------------

HELP_PAGES = {"entities": "front/help/entities.html", "verifiers": "front/help/verifiers.html",
              "clerks": "front/help/clerks.html", "policy": "front/help/policy.html"}


def help_index(request):
    return render(request, "front/help/index.html")


def help_page(request, topic: str):
    """One help page; the policy page quotes the report rules in force, so that it never says other than the report."""
    return render(request, HELP_PAGES[topic], {
        "max_years": rule("REPORT_MAX_YEARS"), "default_years": rule("REPORT_DEFAULT_YEARS"),
        "valid_days": rule("REPORT_VALID_DAYS"), "legal_basis": conf.get("REPORT_LEGAL_BASIS"),
        "replaces": conf.get("REPORT_REPLACES_STATEMENT"), "not_covered": conf.get("REPORT_NOT_COVERED"),
        "issuer": conf.get("REPORT_ISSUER"), "domains": Domain.objects.all() if topic == "policy" else [],
        "oidc_enabled": bool(conf.get("OIDC_ISSUER")),
    })
