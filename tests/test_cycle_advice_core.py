"""IG300 advice never picks an import made under a platform or availability test (click's case)."""
from helpers import check_sources


def test_conditional_import_is_not_the_advised_cut():
    files = {
        "pkg/__init__.py": "",
        "pkg/utils.py": ("import sys\nif sys.platform.startswith('win'):\n    from pkg._win import stream\n"
                         "else:\n    def stream():\n        return None\n"
                         "def echo():\n    return stream()\n"),
        "pkg/_win.py": "from pkg import utils\n\ndef stream():\n    return utils.echo\n",
    }
    (d,) = [d for d in check_sources(files) if d.code == "IG300"]
    assert d.path == "pkg/_win.py"
    assert d.fix is not None and d.fix.kind == "defer-import" and d.fix.scopes == ("stream",)


def test_only_conditional_edges_get_advice_without_a_fix():
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "try:\n    from pkg import b\nexcept ImportError:\n    b = None\ndef f():\n    return b\n",
        "pkg/b.py": "try:\n    from pkg import a\nexcept ImportError:\n    a = None\ndef g():\n    return a\n",
    }
    (d,) = [d for d in check_sources(files) if d.code == "IG300"]
    assert "imported under a condition" in d.message and d.fix is None
