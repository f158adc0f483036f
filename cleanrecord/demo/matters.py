"""A few matters of the catalogue (应替尽替清单) for the demo, so that `make run` shows the page and the report form
can start from a matter."""

from cleanrecord.matters.models import Matter
from cleanrecord.reference.models import Department, Domain

# (department code, matter, legal basis, domain codes or "all")
DEMO_MATTERS = [
    ("finance", "政府采购供应商资格审查", "《中华人民共和国政府采购法》第二十二条；《兰州市以专用信用报告替代有无违法违规记录证明实施方案》",
     ["taxation", "market-regulation", "ecology-environment", "work-safety"]),
    ("housing", "建筑业企业资质申请", "《建筑业企业资质管理规定》；《兰州市以专用信用报告替代有无违法违规记录证明实施方案》",
     ["housing-construction", "work-safety", "human-resources", "taxation"]),
    ("drc", "企业上市融资合规证明", "《兰州市以专用信用报告替代有无违法违规记录证明实施方案》", "all"),
    ("commerce", "外贸企业申报专项资金", "《外经贸发展专项资金管理办法》", ["commerce", "taxation", "market-regulation"]),
    ("hrss", "劳务派遣经营许可延续", "《劳务派遣行政许可实施办法》第十四条", ["human-resources", "medical-security"]),
]


def create_demo_matters() -> int:
    """Add the demo's matters that are not there yet (by department and name); how many were added."""
    made = 0
    known = set(Domain.objects.values_list("code", flat=True))
    for dept_code, name, basis, domains in DEMO_MATTERS:
        department = Department.objects.filter(code=dept_code).first()
        if department is None:
            continue
        matter, created = Matter.objects.get_or_create(
            department=department, name=name, defaults={"legal_basis": basis, "all_domains": domains == "all"})
        if created:
            if domains != "all":
                matter.domains.set(list(Domain.objects.filter(code__in=[d for d in domains if d in known])))
            made += 1
    return made
