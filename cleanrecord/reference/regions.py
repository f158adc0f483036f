"""The platform's region as the rest of the code asks about it: its root, and which codes are in it.

Whether an administrative code (an entity's 登记地, a record's 地方编码) is "of the region" is decided
here and nowhere else: it starts with one of the region's prefixes (region_prefixes.csv in the
reference folder, or the root's code trimmed of its trailing "00" pairs when the folder has none). So
a county (620102), a city (6201) and a province (62) deploy the same code.
"""

import functools

from django.db.models import Q

from .models import Region, RegionPrefix


def trimmed(code: str) -> str:
    """A division code without its trailing "00" pairs: 620100 → 6201, 620000 → 62, 620102 → 620102."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


@functools.cache
def root() -> Region:
    """The platform's region. Cached for the life of the process: it is reference data, set once per
    deployment (load_reference forgets it), and every report and every verification needs it."""
    return Region.root()


@functools.cache
def prefixes() -> tuple[str, ...]:
    """The region's code prefixes, longest first; the root's trimmed code while none were loaded."""
    loaded = RegionPrefix.objects.values_list("prefix", flat=True)
    return tuple(sorted(loaded, key=lambda p: (-len(p), p))) or (trimmed(root().code),)


def forget() -> None:
    """Read the region afresh on the next call: after load_reference, or a test's own reference folder."""
    root.cache_clear()
    prefixes.cache_clear()


def contains(code: str) -> bool:
    """Whether an administrative code lies in the region (an empty code does not)."""
    return bool(code) and code.startswith(prefixes())


def in_region(field: str) -> Q:
    """Rows whose `field` (an administrative code) lies in the region."""
    return Q(*(Q(**{f"{field}__startswith": p}) for p in prefixes()), _connector=Q.OR)


def districts() -> list[Region]:
    """The root's districts: counties of a city, cities of a province."""
    return list(Region.objects.filter(parent_id=root().code))


def district_of(code: str, among: list[Region]) -> Region | None:
    """The district of `among` (see districts()) that `code` lies in, the most specific one, or None: the
    root's own code, a code of no listed district, a code elsewhere."""
    best = None
    for district in among:
        part = trimmed(district.code)
        if code.startswith(part) and (best is None or len(part) > len(trimmed(best.code))):
            best = district
    return best
