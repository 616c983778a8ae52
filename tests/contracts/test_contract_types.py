"""Each contract type on small repositories: kept and broken, with the chains and lines reported."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List

import pytest

from helpers import module_of
from importguard.config.settings import Config, ConfigError
from importguard.discovery.files import SourceFile
from importguard.engine.pipeline import analyse, modules_from
from importguard.extract import extract

if TYPE_CHECKING:
    from importguard.model import Diagnostic


def run(files: Dict[str, str], *contracts: dict, select=("IG5",)) -> List[Diagnostic]:
    sources, facts = [], {}
    for rel, text in files.items():
        p = Path("/virtual") / rel
        sources.append(SourceFile(p, rel, module_of(rel), rel.endswith("__init__.py"), True))
        facts[str(p)] = extract(textwrap.dedent(text).encode())
    raw = ("importguard", "pyproject.toml", json.dumps(list(contracts)))
    diags, _, _ = analyse(modules_from(sources, facts), Config(select=select, contracts=raw))
    return diags


def chains(diags: List[Diagnostic]) -> List[tuple]:
    """(code, path, line, [(from, to, lines), ...]) per diagnostic."""
    return [(d.code, d.path, d.line, [(a, b, list(lines)) for a, b, _, lines in d.chain]) for d in diags]


APP = {
    "app/__init__.py": "",
    "app/ui/__init__.py": "",
    "app/ui/views.py": "from app.domain import model\n",
    "app/domain/__init__.py": "",
    "app/domain/model.py": "import json\n\nfrom app.data import store\n",
    "app/data/__init__.py": "",
    "app/data/store.py": "import requests\n",
    "app/data/repo.py": "def load():\n    from app.ui import views\n",
}


# ---------------------------------------------------------------------------------------- forbidden
def test_forbidden_kept():
    c = {"name": "data stays low", "type": "forbidden", "source-modules": ["app.data"],
         "forbidden-modules": ["app.domain"]}
    assert run({k: v for k, v in APP.items() if k != "app/data/repo.py"}, c) == []


def test_forbidden_broken_through_a_chain_reported_at_its_first_import():
    c = {"name": "domain is pure", "type": "forbidden", "source-modules": ["app.domain"],
         "forbidden-modules": ["requests", "app.ui"]}
    d = run(APP, c)
    # app.ui is not reachable from app.domain: app.data.store does not import app.data.repo
    assert chains(d) == [("IG500", "app/domain/model.py", 3,
                          [("app.domain.model", "app.data.store", [3]), ("app.data.store", "requests", [1])])]
    assert d[0].contract == "domain is pure"
    assert d[0].message == ("`app.domain` is not allowed to import `requests`: `app.domain.model` -> "
                            "`app.data.store` (l.3) -> `requests` (l.1) (contract `domain is pure`)")


def test_forbidden_indirect_chain_through_a_function_level_import():
    files = dict(APP)
    files["app/data/store.py"] = "import requests\nfrom app.data import repo\n"
    c = {"name": "no ui below", "type": "forbidden", "source-modules": ["app.data"], "forbidden-modules": ["app.ui"]}
    assert chains(run(files, c)) == [
        ("IG500", "app/data/repo.py", 2, [("app.data.repo", "app.ui.views", [2])]),
    ]


def test_forbidden_allow_indirect_imports_reports_direct_imports_only():
    files = dict(APP, **{"app/ui/views.py": "from app.domain import model\nfrom app.data import store\n"})
    c = {"name": "ui uses data through domain", "type": "forbidden", "source-modules": ["app.ui"],
         "forbidden-modules": ["app.data"], "allow-indirect-imports": True}
    assert chains(run(files, c)) == [("IG500", "app/ui/views.py", 2, [("app.ui.views", "app.data.store", [2])])]
    c2 = dict(c, **{"allow-indirect-imports": False})
    got = chains(run(files, c2))
    assert [g[3] for g in got] == [[("app.ui.views", "app.domain.model", [1]),
                                    ("app.domain.model", "app.data.store", [3])],
                                   [("app.ui.views", "app.data.store", [2])]]


def test_forbidden_ignore_imports_with_wildcards():
    c = {"name": "domain is pure", "type": "forbidden", "source-modules": ["app.domain"],
         "forbidden-modules": ["requests"]}
    assert run(APP, dict(c, **{"ignore-imports": ["app.*.model -> app.data.*"]})) == []
    assert run(APP, dict(c, **{"ignore-imports": ["app.** -> requests"]})) == []
    assert len(run(APP, dict(c, **{"ignore-imports": ["app.ui.* -> app.domain.*"]}))) == 1


def test_an_ignore_that_matches_nothing_is_an_error_unless_told_otherwise():
    c = {"name": "domain is pure", "type": "forbidden", "source-modules": ["app.domain"],
         "forbidden-modules": ["requests"], "ignore-imports": ["app.nothing -> app.data"]}
    with pytest.raises(ConfigError, match="No matches for ignored import app.nothing -> app.data"):
        run(APP, c)
    assert len(run(APP, dict(c, **{"unmatched-ignore-imports-alerting": "none"}))) == 1


def test_a_module_that_does_not_exist_is_an_error():
    c = {"name": "x", "type": "forbidden", "source-modules": ["app.nope"], "forbidden-modules": ["app.ui"]}
    with pytest.raises(ConfigError, match="Module 'app.nope' does not exist"):
        run(APP, c)


def test_forbidden_as_packages_false_checks_the_named_modules_only():
    c = {"name": "x", "type": "forbidden", "source-modules": ["app.domain"], "forbidden-modules": ["app.data"],
         "as-packages": False}
    assert run(APP, c) == []  # app.domain (its __init__) imports nothing
    c = dict(c, **{"source-modules": ["app.domain.model"]})
    assert run(APP, c) == []  # app.domain.model imports app.data.store, not app.data itself
    c = dict(c, **{"forbidden-modules": ["app.data.store"]})
    assert chains(run(APP, c)) == [("IG500", "app/domain/model.py", 3, [("app.domain.model", "app.data.store", [3])])]


# ---------------------------------------------------------------------------------------- layers
LAYERED = {"name": "layers", "type": "layers", "layers": ["app.ui", "app.domain", "app.data"]}


def test_layers_kept_when_imports_only_go_down():
    assert run({k: v for k, v in APP.items() if k != "app/data/repo.py"}, LAYERED) == []


def test_layers_broken_by_an_import_upwards_even_inside_a_function():
    d = run(APP, LAYERED)
    assert chains(d) == [("IG501", "app/data/repo.py", 2, [("app.data.repo", "app.ui.views", [2])])]
    assert d[0].message.startswith("`app.data` is not allowed to import `app.ui`")


def test_layers_chain_through_a_module_outside_the_layers():
    files = dict(APP)
    files["app/data/repo.py"] = "from app import helpers\n"
    files["app/helpers.py"] = "\n\nfrom app.domain.model import x\n"
    d = run(files, LAYERED)
    assert chains(d) == [("IG501", "app/data/repo.py", 1,
                          [("app.data.repo", "app.helpers", [1]), ("app.helpers", "app.domain.model", [3])])]


def test_layers_chain_through_another_layer_is_not_reported_for_the_outer_pair():
    # data -> domain is illegal and reported; data -> ui only passes through domain: not reported again
    files = dict(APP)
    files["app/data/repo.py"] = "from app.domain import service\n"
    files["app/domain/service.py"] = "from app.ui import views\n"
    d = run(files, LAYERED)
    assert sorted((c[3][0][0], c[3][-1][1]) for c in chains(d)) == [
        ("app.data.repo", "app.domain.service"), ("app.domain.service", "app.ui.views")]


def test_independent_siblings_may_not_import_each_other_but_colon_siblings_may():
    files = {"p/__init__.py": "", "p/a.py": "from p import b\n", "p/b.py": "", "p/c.py": ""}
    independent = {"name": "l", "type": "layers", "layers": ["p.a | p.b", "p.c"]}
    assert chains(run(files, independent)) == [("IG501", "p/a.py", 1, [("p.a", "p.b", [1])])]
    assert run(files, {"name": "l", "type": "layers", "layers": ["p.a : p.b", "p.c"]}) == []


def test_layers_in_containers_and_optional_layers():
    files = {"shop/__init__.py": "", "shop/orders/__init__.py": "", "shop/orders/views.py": "",
             "shop/orders/models.py": "from shop.orders import views\n",
             "shop/users/__init__.py": "", "shop/users/models.py": ""}
    c = {"name": "apps", "type": "layers", "containers": ["shop.orders", "shop.users"],
         "layers": ["(views)", "models"]}
    assert chains(run(files, c)) == [("IG501", "shop/orders/models.py", 1,
                                      [("shop.orders.models", "shop.orders.views", [1])])]
    with pytest.raises(ConfigError, match="Missing layer in container 'shop.users'"):
        run(files, dict(c, layers=["views", "models"]))
    with pytest.raises(ConfigError, match="Container shop.carts does not exist"):
        run(files, dict(c, containers=["shop.orders", "shop.carts"]))


def test_exhaustive_layers_report_undeclared_children():
    files = {"shop/__init__.py": "", "shop/views.py": "", "shop/models.py": "", "shop/extra.py": ""}
    c = {"name": "all declared", "type": "layers", "containers": ["shop"], "layers": ["views", "models"],
         "exhaustive": True}
    d = run(files, c)
    assert [(x.code, x.path, x.line, x.chain) for x in d] == [("IG501", "shop/extra.py", 1, ())]
    assert "`shop.extra` is not listed as a layer" in d[0].message
    assert run(files, dict(c, **{"exhaustive-ignores": ["extra"]})) == []


# ---------------------------------------------------------------------------------------- independence
def test_independence():
    files = {"p/__init__.py": "", "p/a.py": "import p.x\n", "p/x.py": "from p import b\n", "p/b.py": "",
             "p/c.py": ""}
    c = {"name": "apart", "type": "independence", "modules": ["p.a", "p.b", "p.c"]}
    d = run(files, c)
    assert chains(d) == [("IG502", "p/a.py", 1, [("p.a", "p.x", [1]), ("p.x", "p.b", [1])])]
    assert run(files, dict(c, modules=["p.a", "p.c"])) == []


# ---------------------------------------------------------------------------------------- protected
def test_protected():
    files = {"p/__init__.py": "", "p/db/__init__.py": "", "p/db/engine.py": "from p.db import sql\n",
             "p/db/sql.py": "", "p/api.py": "from p.db.sql import q\nfrom p.db import engine\n",
             "p/repo.py": "from p.db import engine\n"}
    c = {"name": "db is private", "type": "protected", "protected-modules": ["p.db"],
         "allowed-importers": ["p.repo"]}
    d = run(files, c)
    assert chains(d) == [("IG503", "p/api.py", 1, [("p.api", "p.db.sql", [1])]),
                         ("IG503", "p/api.py", 2, [("p.api", "p.db.engine", [2])])]
    assert d[0].message.startswith("`p.api` is not allowed to import the protected `p.db`")
    assert run(files, dict(c, **{"allowed-importers": ["p.repo", "p.api"]})) == []


# ---------------------------------------------------------------------------------------- acyclic siblings
def test_acyclic_siblings_reports_the_imports_that_break_each_cycle():
    files = {"p/__init__.py": "", "p/a/__init__.py": "", "p/a/x.py": "from p.b import y\n",
             "p/b/__init__.py": "", "p/b/y.py": "\n\nfrom p.a import x\n", "p/c.py": "from p.a import x\n"}
    c = {"name": "no cycles", "type": "acyclic-siblings", "ancestors": ["p"]}
    d = run(files, c)
    assert chains(d) == [("IG504", "p/b/y.py", 3, [("p.b.y", "p.a.x", [3])])]
    assert "closes a cycle between children of `p`" in d[0].message
    files["p/b/y.py"] = ""
    assert run(files, c) == []


# ---------------------------------------------------------------------------------------- edge kinds
def test_exclude_type_checking_and_import_time_only():
    files = {"p/__init__.py": "", "p/low.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                                "    from p.high import H\n"),
             "p/mid.py": "def f():\n    from p import high\n", "p/high.py": ""}
    c = {"name": "l", "type": "layers", "layers": ["p.high", "p.mid", "p.low"]}
    assert [x[3] for x in chains(run(files, c))] == [[("p.low", "p.high", [3])], [("p.mid", "p.high", [2])]]
    assert [x[3] for x in chains(run(files, dict(c, **{"exclude-type-checking": True})))] == [
        [("p.mid", "p.high", [2])]]
    assert run(files, dict(c, **{"import-time-only": True})) == []


def test_contracts_off_when_ig5_is_not_selected():
    assert [d for d in run(APP, LAYERED, select=("IG1",)) if d.code.startswith("IG5")] == []
    assert len(run(APP, LAYERED, select=("IG501",))) == 1
    assert run(APP, LAYERED, select=("IG500",)) == []

