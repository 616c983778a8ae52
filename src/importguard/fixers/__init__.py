"""Fixes: LibCST codemods that apply the ``Fix`` data the rules attach to diagnostics.

``edits`` holds the one transformer every fix uses (remove aliases and statements, insert
statements, keep comments and formatting); each other module is one kind of fix with its LibCST
codemod command; ``command`` is ``importguard fix``. libcst is imported only here, never on the
check path.
"""
from __future__ import annotations
