"""Fixes: apply the ``Fix`` data the rules attach to diagnostics, with LibCST.

``edits`` holds the one transformer every fix uses (remove aliases and statements, insert
statements, keep comments and formatting); ``apply`` plans each diagnostic's fix onto it
(``type_checking``, ``defer_import`` and ``lazy_import`` plan one kind each); ``codemods`` offers
the same fixes as LibCST codemod commands. libcst is imported only here, never on the check path.
"""
