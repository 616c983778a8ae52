"""IG100 fix: remove unused names and statements; everything else stays byte-identical."""
from __future__ import annotations

import os
import stat

import pytest

from fix_helpers import dd, fix_one, fix_tree

CASES = {
    "whole statement": ("import os\nimport sys\nprint(sys.argv)\n", "import sys\nprint(sys.argv)\n"),
    "partial from import": ("from os import path, sep, getcwd\nprint(sep)\n", "from os import sep\nprint(sep)\n"),
    "partial plain import": ("import os, sys, json\nprint(sys)\n", "import sys\nprint(sys)\n"),
    "last of plain import": ("import sys, os  # why\nprint(sys)\n", "import sys  # why\nprint(sys)\n"),
    "parenthesised multi-line with comments": (
        """\
        from x import (  # keep
            a,  # about a
            b,  # about b
            c,  # about c
        )
        print(b)
        """,
        """\
        from x import (  # keep
            b,  # about b
        )
        print(b)
        """),
    "parenthesised, last without trailing comma": (
        """\
        from x import (
            a,  # about a
            b,  # about b
            c  # about c
        )
        print(a, b)
        """,
        """\
        from x import (
            a,  # about a
            b  # about b
        )
        print(a, b)
        """),
    "parenthesised, several per line": (
        """\
        from x import (
            a, b,  # ab
            c, d,
        )
        print(a, d)
        """,
        """\
        from x import (
            a,  # ab
            d,
        )
        print(a, d)
        """),
    "semicolon first": ("import os; x = 1\nprint(x)\n", "x = 1\nprint(x)\n"),
    "semicolon last": ("x = 1; import os\nprint(x)\n", "x = 1\nprint(x)\n"),
    "semicolon middle": ("x = 1; import os; y = 2\nprint(x, y)\n", "x = 1; y = 2\nprint(x, y)\n"),
    "only statement of a block": ("def f():\n    import os\n", "def f():\n    pass\n"),
    "only statement of a one-line block": ("if True: import os\n", "if True: pass\n"),
    "only statement, comment above stays": ("def f():\n    # note\n    import os\n",
                                            "def f():\n    # note\n    pass\n"),
    "only content of the file": ("import os\n", ""),
    "only content, no newline": ("import os", ""),
    "comment lines above stay": ("# header\nimport os\n\nx = 1\n", "# header\n\nx = 1\n"),
    "comment at end of file stays": ("x = 1\nimport os  # gone\n# tail\n", "x = 1\n# tail\n"),
    "class body import": ("class C:\n    import os\n    x = 1\n", "class C:\n    x = 1\n"),
    "shadowed by rebinding": ("import os\nos = 1\nprint(os)\n", "os = 1\nprint(os)\n"),
    "relative import": ("from . import a, b\nprint(b)\n", "from . import b\nprint(b)\n"),
    "alias": ("import numpy as np, os as o\nprint(o)\n", "import os as o\nprint(o)\n"),
}


# a class attribute can be read from anywhere (``C.os``): removing it is an unsafe fix
UNSAFE_CASES = {"class body import"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_before_after(tmp_path, name):
    before, after = CASES[name]
    args = ("--unsafe-fixes",) if name in UNSAFE_CASES else ()
    assert fix_one(tmp_path, dd(before), *args) == dd(after)


@pytest.mark.parametrize("before", [
    "import os\n__all__ = ['os']\n",
    "from __future__ import annotations\n",
    "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n",
    "import os  # noqa: F401\n",
    "import os  # noqa\n",
    "from os import *\n",
])
def test_left_alone(tmp_path, before):
    assert fix_one(tmp_path, before) == before


def test_crlf_bom_latin1_and_mode_kept(tmp_path):
    files = {
        "crlf.py": b"import os\r\nimport sys\r\nprint(sys)\r\n",
        "bom.py": b"\xef\xbb\xbfimport os\nimport sys\nprint(sys, '\xc3\xa9')\n",
        "latin.py": b"# -*- coding: latin-1 -*-\nimport os\nx = '\xe9'\n",
    }
    for rel, data in files.items():
        (tmp_path / rel).write_bytes(data)
    os.chmod(tmp_path / "crlf.py", 0o751)
    out = fix_tree(tmp_path, {})
    assert (tmp_path / "crlf.py").read_bytes() == b"import sys\r\nprint(sys)\r\n"
    assert (tmp_path / "bom.py").read_bytes() == b"\xef\xbb\xbfimport sys\nprint(sys, '\xc3\xa9')\n"
    assert (tmp_path / "latin.py").read_bytes() == b"# -*- coding: latin-1 -*-\nx = '\xe9'\n"
    assert stat.S_IMODE(os.stat(tmp_path / "crlf.py").st_mode) == 0o751
    assert out == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bom.py", "crlf.py", "latin.py"]  # no temp files left


def test_unparsable_file_never_touched(tmp_path):
    bad = b"import os\ndef f(:\n"
    out = fix_tree(tmp_path, {"bad.py": bad, "good.py": "import os\n"})
    assert out == {"bad.py": bad, "good.py": b""}


def test_symlink_target_is_written_and_link_kept(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "m.py").write_text("import os\nx = 1\n")
    (tmp_path / "pkg").mkdir()
    os.symlink(real / "m.py", tmp_path / "pkg" / "m.py")
    fix_tree(tmp_path / "pkg", {})
    assert os.path.islink(tmp_path / "pkg" / "m.py")
    assert (real / "m.py").read_text() == "x = 1\n"


def test_removal_and_rebinding_computed_together(tmp_path):
    # removing the first import must not leave the second one (now the only binding)
    src = "import os\nimport os\nprint(os.sep)\n"
    out = fix_one(tmp_path, src)
    assert out == "import os\nprint(os.sep)\n"
    compile(out, "m", "exec")
