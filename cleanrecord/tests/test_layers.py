"""Layers that only point down: no import cycle between the package's apps, and no import upward.

The table below is the README's architecture picture ("Layers"); a new app goes into it, and an import
that points up (or sideways, inside one layer) fails here with its file and line.
"""

import textwrap
from pathlib import Path

import cleanrecord
from cleanrecord.testing.imports import (
    describe_cycle,
    find_cycle,
    graph,
    imports,
    undocumented_deferred_imports,
    units,
    upward_imports,
)

ROOT = Path(cleanrecord.__file__).parent

# Bottom first. A unit may import the units of the layers below its own, and no other.
LAYERS = [
    ("conf",),  # the environment
    ("settings", "lib"),  # Django's settings module; small pure helpers
    ("jobs",),  # background tasks: the schedule apps register their jobs with, the worker, its heartbeat
    ("audit",),  # the audit trail and the audited admin base
    ("reference",),  # region, domains, departments
    ("accounts",),  # roles, API tokens, notifications
    ("entities", "workdays"),  # the entity register; the working-day calendar
    ("signin",),  # entities sign in through the government identity service; staff authorised by the legal rep
    ("records",),  # credit records and their import
    ("objections", "freshness", "matters"),  # matters: the catalogue of matters (应替尽替清单)
    ("reports",),  # rules, snapshot, issuing, signing; the entity portal
    ("verification",),
    ("acceptance",),  # whether units accept the report: refusal feedback, the dashboard's counts
    ("quality",),
    ("front", "demo", "api", "health", "metrics", "requestid", "requestlog", "uploads", "backup"),
    ("testing", "urls", "wsgi"),
]



def _edges():
    return graph(imports(ROOT))


def test_every_app_and_module_of_the_package_has_its_layer():
    placed = [unit for layer in LAYERS for unit in layer]
    assert len(placed) == len(set(placed)), "a unit is in two layers"
    assert set(placed) == units(ROOT)


def test_the_apps_import_each_other_without_a_cycle():
    edges = _edges()
    cycle = find_cycle(edges)
    assert cycle is None, describe_cycle(cycle, edges)


def test_imports_point_down_the_layers():
    upward = upward_imports(_edges(), LAYERS)
    assert not upward, "imports that do not point down the layers:\n" + "\n".join(
        f"  {i.source} → {i.target} ({i.path}:{i.line})" for i in upward)


def test_function_level_imports_of_the_package_say_why():
    missing = [f"{path}:{line}" for path, line in undocumented_deferred_imports(ROOT)]
    assert not missing, "function-level imports with no comment saying why:\n  " + "\n  ".join(missing)


# -- the checks themselves, on a tiny package made for the purpose --------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "shop"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return root


def test_a_cycle_through_a_function_level_import_is_found_and_named(tmp_path):
    root = _package(tmp_path, {
        "orders/models.py": "from shop.billing.services import charge\n",
        "billing/services.py": """
            def charge():
                # deferred, with a reason: it still counts
                from ..orders import models
                return models
            """,
        "billing/tests/test_services.py": "from shop.catalog import models\n",  # tests are not layered
        "catalog/models.py": "import shop.orders.models\n",
    })
    edges = graph(imports(root))
    assert set(edges) == {("orders", "billing"), ("billing", "orders"), ("catalog", "orders")}
    assert edges["billing", "orders"].deferred
    cycle = find_cycle(edges)
    assert cycle in (["billing", "orders", "billing"], ["orders", "billing", "orders"])
    message = describe_cycle(cycle, edges)
    assert "shop/billing/services.py:4" in message and "shop/orders/models.py:1" in message


def test_a_package_without_cycles_passes(tmp_path):
    root = _package(tmp_path, {
        "orders/models.py": "from shop.billing import services\n",
        "billing/services.py": "from shop import conf\n",
        "conf.py": "import os\n",
    })
    assert find_cycle(graph(imports(root))) is None


def test_an_import_up_or_inside_a_layer_is_named(tmp_path):
    root = _package(tmp_path, {
        "orders/models.py": "from shop.billing import services\n",
        "billing/services.py": "import json\n",
        "catalog/models.py": "from shop.orders.models import Order\n",
    })
    edges = graph(imports(root))
    assert upward_imports(edges, [("billing",), ("orders",), ("catalog",)]) == []
    assert [(i.source, i.target) for i in upward_imports(edges, [("orders",), ("billing",), ("catalog",)])] == [
        ("orders", "billing")]
    assert [(i.source, i.target) for i in upward_imports(edges, [("billing",), ("orders", "catalog")])] == [
        ("catalog", "orders")]


def test_a_function_level_import_without_a_reason_is_named(tmp_path):
    root = _package(tmp_path, {
        "orders/views.py": """
            def page():
                import json

                from shop.billing import services
                return services, json


            def other():
                # billing reads the registry at import time: not before it is ready.
                from shop.billing import services
                return services


            def third():
                from shop.billing import services  # same reason as above
                import json  # not the package's own: not asked
                return services, json
            """,
        "billing/services.py": "",
    })
    assert list(undocumented_deferred_imports(root)) == [(Path("shop/orders/views.py"), 5)]
