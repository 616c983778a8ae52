"""Every file and folder a ``check`` run read, listed or looked for: the inputs of its output, for
the fast lane (``commands.fastlane``), which replays that output while none of them changed.

Nothing here depends on the code that reads being written with the fast lane in mind: the
functions every read goes through are wrapped while a run is watched (``open`` and ``io.open``,
``os.open``, ``os.scandir``, ``os.listdir``, ``os.stat``, ``os.lstat``), so that every file opened,
every folder listed, every check of a signature (the walk index, the stat index, the evidence of
inferred roots, parsed TOML files: the caches that spare a read while a file is unchanged) and
every test of existence (``Path.is_file()`` on the markers of a project in every folder above it,
``os.path.exists``) is seen with what it found. (An audit hook would see the same, but Python
calls it for every audited event of the process, ``id()`` and every ``array`` among them: 10,000
calls in a run after an import change on a 6,000-file tree.)

Only the command line turns it on (``start``), first thing in a ``check`` run that may be recorded,
in a process that ends after it: the wrappers stay, doing nothing once ``stop`` is called.
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


def start(since: int = 0) -> None:
    """Watch from now on; ``since``: the time from which a change makes a path fresh."""
    global ON, WHOLE, BLIND, SINCE
    ON, WHOLE, BLIND, SINCE = True, False, False, since
    SEEN.clear()
    LISTED.clear()
    FRESH.clear()
    if not _REAL:
        import builtins
        import io

        _REAL.update(stat=os.stat, lstat=os.lstat, open=io.open, os_open=os.open, scandir=os.scandir,
                     listdir=os.listdir)
        os.stat, os.lstat = _Stat(True), _Stat(False)
        builtins.open = io.open = _Open()
        os.open = _OsOpen()
        os.scandir, os.listdir = _Listing("scandir"), _Listing("listdir")
        os.register_at_fork(after_in_child=_forked)  # a worker records nothing: no watch there
        # before Python 3.11, ``Path.stat()`` and ``Path.iterdir()`` call the functions their
        # accessor class took when ``pathlib`` was imported (a ``.pth`` file may have done it first)
        accessor = getattr(sys.modules.get("pathlib"), "_NormalAccessor", None)
        for name in ("stat", "lstat", "scandir", "listdir", "open"):
            real = _REAL["os_open" if name == "open" else name]
            if accessor is not None and getattr(accessor, name, None) is real:
                setattr(accessor, name, getattr(os, name))


def stop() -> None:
    global ON, WHOLE
    ON = WHOLE = False
    SEEN.clear()
    LISTED.clear()
    FRESH.clear()


def _forked() -> None:
    global ON
    ON = False


def real_stat():
    """``os.stat`` itself, for a loop of stats whose paths its caller names with ``seen_all``."""
    return _REAL.get("stat", os.stat)


def seen_all(paths: "list[str]") -> None:
    """Paths that exist, named by a caller that stat-ed them with ``real_stat`` (absolute)."""
    if ON:
        SEEN.update(dict.fromkeys(paths, True))


def _note(path: object, found: "bool | None", listed: bool = False) -> "str | None":
    """Note ``path`` in ``SEEN``; its absolute text (None: a descriptor, or no path)."""
    if isinstance(path, int):
        return None  # a descriptor: its file was seen when opened
    try:
        text = os.fsdecode(os.fspath(path))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    if not text.startswith(os.sep):
        text = os.path.abspath(text)
    if listed:
        LISTED.add(text)
    before = SEEN.get(text, found)
    SEEN[text] = found if before is None or before == found else (before if found is None else BOTH)
    return text


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
                return st
            if type(path) is str and path[:1] == "/" and SEEN.get(path) is True:
                text: "str | None" = path  # seen already, as it is now
            else:
                text = _note(path, True)
            if text is not None and (st.st_mtime_ns >= SINCE or st.st_ctime_ns >= SINCE):
                FRESH.append(text)
        return st


class _Open:
    """``open``: a file opened to be read is seen (its content may be in the output)."""

    __slots__ = ()

    def __call__(self, file, mode="r", *args, **kwargs):
        if ON and not isinstance(file, int) and not any(c in mode for c in "wax"):
            _note(file, None)
        return _REAL["open"](file, mode, *args, **kwargs)


class _OsOpen:
    """``os.open``: seen unless it creates the file (a cache's temporary file)."""

    __slots__ = ()

    def __call__(self, path, flags, mode=0o777, *, dir_fd=None):
        global BLIND
        if ON and not flags & os.O_CREAT:
            if dir_fd is None:
                _note(path, None)
            else:
                BLIND = True
        return _REAL["os_open"](path, flags, mode, dir_fd=dir_fd)


class _Listing:
    """``os.scandir`` or ``os.listdir``: the folder listed is seen (entries added or removed change
    its modification time)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __call__(self, path=None):
        if ON and path is not None:
            _note(path, None, True)
        return _REAL[self.name]() if path is None else _REAL[self.name](path)
