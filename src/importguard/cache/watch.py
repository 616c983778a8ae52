"""Every file and folder a ``check`` run read, listed or looked for: the inputs of its output, for
the fast lane (``commands.fastlane``), which replays that output while none of them changed.

Nothing here depends on the code that reads being written with the fast lane in mind:

- an audit hook (``sys.addaudithook``) sees every file the process opens and every folder it
  lists (``open``, ``os.scandir``, ``os.listdir``);
- ``os.stat`` and ``os.lstat`` are wrapped, so that every check of a signature (the walk index,
  the stat index, the evidence of inferred roots, parsed TOML files: the caches that spare a read
  while a file is unchanged) and every test of existence (``Path.is_file()`` on the markers of a
  project in every folder above it, ``os.path.exists``) is seen with what it found.

Only the command line turns it on (``start``), first thing in a ``check`` run that may be recorded,
in a process that ends after it: the hook cannot be removed, and the wrappers stay (doing nothing
once ``stop`` is called).
"""
import os
import sys

ON = False
WHOLE = False  # the engine says the run's results are complete and reusable (what a cache would keep)
BLIND = False  # something was stat-ed that cannot be named (relative to a folder's descriptor)
# absolute path -> what the run saw: True (it exists), False (it did not), None (opened or listed,
# or a stat failed otherwise: unknown), BOTH (it came or went during the run)
SEEN = {}  # type: dict
BOTH = "both"
LISTED = set()  # type: set  # the folders listed
# paths found changed since ``SINCE`` (ns): a run that saw one writes no record (``fastrecord``),
# and knows it without stat-ing everything again
FRESH = []  # type: list
SINCE = 0
_REAL = {}  # type: dict
_EVENTS = frozenset(("open", "os.scandir", "os.listdir"))


def start(since: int = 0) -> None:
    """Watch from now on; ``since``: the time from which a change makes a path fresh."""
    global ON, WHOLE, BLIND, SINCE
    ON, WHOLE, BLIND, SINCE = True, False, False, since
    SEEN.clear()
    LISTED.clear()
    FRESH.clear()
    if not _REAL:
        _REAL["stat"], _REAL["lstat"] = os.stat, os.lstat
        os.stat, os.lstat = _Stat(True), _Stat(False)
        # before Python 3.11, ``Path.stat()`` calls the ``os.stat`` its accessor class took when
        # ``pathlib`` was imported (a ``.pth`` file may have imported it before this)
        accessor = getattr(sys.modules.get("pathlib"), "_NormalAccessor", None)
        if accessor is not None and getattr(accessor, "stat", None) is _REAL["stat"]:
            accessor.stat, accessor.lstat = os.stat, os.lstat
        sys.addaudithook(_hook)


def stop() -> None:
    global ON, WHOLE
    ON = WHOLE = False
    SEEN.clear()
    LISTED.clear()
    FRESH.clear()


def real_stat():
    """``os.stat`` itself, for a loop of stats whose paths its caller names with ``seen_all``."""
    return _REAL.get("stat", os.stat)


def seen_all(paths: "list[str]") -> None:
    """Paths that exist, named by a caller that stat-ed them with ``real_stat`` (absolute)."""
    if ON:
        SEEN.update(dict.fromkeys(paths, True))


def _note(path: object, found: "bool | None", listed: bool = False) -> None:
    if isinstance(path, int):
        return  # a descriptor: its file was seen when opened
    try:
        text = os.fsdecode(os.fspath(path))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return
    if not text.startswith(os.sep):
        text = os.path.abspath(text)
    if listed:
        LISTED.add(text)
    before = SEEN.get(text, found)
    SEEN[text] = found if before is None or before == found else (before if found is None else BOTH)


class _Stat:
    """``os.stat`` (or ``os.lstat``) that tells ``SEEN`` what it found. An instance, not a function:
    a class that takes it as an attribute (``pathlib``'s accessor before 3.11) does not bind it."""

    __slots__ = ("follow",)

    def __init__(self, follow: bool):
        self.follow = follow

    def __call__(self, path, *, dir_fd=None, follow_symlinks=True):
        global BLIND
        try:
            st = _REAL["stat"](path, dir_fd=dir_fd, follow_symlinks=follow_symlinks and self.follow)
        except (FileNotFoundError, NotADirectoryError):
            if ON and dir_fd is None:
                _note(path, False)
            raise
        except OSError:
            if ON and dir_fd is None:
                _note(path, None)
            raise
        if ON:
            if dir_fd is not None:  # relative to a folder opened before: its path is not known here
                BLIND = True
            elif type(path) is str and path[:1] == "/" and SEEN.get(path) is True:
                pass  # seen already, as it is now
            else:
                _note(path, True)
            if (st.st_mtime_ns >= SINCE or st.st_ctime_ns >= SINCE) and dir_fd is None and type(path) is not int:
                FRESH.append(path)
        return st


def _hook(event: str, args: tuple) -> None:
    if not ON or event not in _EVENTS or not args:
        return
    if event == "open" and len(args) > 1 and isinstance(args[1], str) and args[1][:1] in "wax":
        return  # a file written: the caches, the report
    if args[0] is not None:
        _note(args[0], None, event != "open")
