"""The fast lane: a ``check`` whose every input is as it was when the same command last ran prints
what that run printed, before the rest of importguard is even imported.

A run that finds nothing changed still imports some thirty modules (``pathlib``, ``typing``, the
configuration, the caches: 28 ms on Django), loads the configuration and the caches, and asks each
of them whether it still holds. Here, the run before left a record (``record``): the command line,
its folder and the environment that can change the output; every file and folder it read, listed
or looked for (``cache.watch``), with its size, modification time, change time and inode (or that
it was missing); what it printed and its exit status. The next run of the same command stats each
of those paths, and when every signature is the one recorded, prints the same and stops: no module
of importguard but this one and ``watch`` is loaded.

The rule is the stat index's: a record is written only when every path it names was last changed
(modification *and* change time, which no tool can set back) more than two seconds before the run
began, so a change within one tick of the file system's clock, during or after the run, always
shows as a new signature. Like every cache it is a hint: anything unexpected (no record, another
command, a changed environment variable, a file that cannot be stat-ed) takes the usual path.

Only the command line (``cli.run``) uses it, for ``check`` with a text or GitHub report on stdout
and the default cache folder; ``IMPORTGUARD_FAST=0`` turns it off.
"""
import marshal
import os
import sys

VERSION = 1  # of the record's layout and of what the key holds
NAME = ".importguard_cache" + os.sep + "fast-%d.marshal" % VERSION
KEEP = 4  # commands kept (a project's usual check, pre-commit's, the Action's ...)
ENV_PREFIXES = ("IMPORTGUARD_", "GITHUB_")  # what the reports and the engine read from the environment
ENV_NAMES = ("NO_COLOR", "FORCE_COLOR", "PRE_COMMIT", "CI")
MISSING = (-1, -1, -1, -1)
# a folder above the project, whose path was resolved (``realpath``) or in which a marker was looked
# for, or ``.git`` (which every git command writes to): whatever else is written there (a home
# folder's history files, git's index), it decides nothing while it is the same folder (its inode),
# as the files read in it and the markers looked for are watched themselves
SAME_FOLDER = -2
ARGV = None  # type: list[str] | None  # the command line's arguments, when ``cli.run`` may record this run
T0 = 0  # when it began (``time.time_ns()``), before anything was read


def _tty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def key(argv: "list[str]", cwd: str) -> tuple:
    """Everything outside the files that decides what ``check`` prints and returns."""
    import importguard

    env = sorted((k, v) for k, v in os.environ.items() if k.startswith(ENV_PREFIXES) or k in ENV_NAMES)
    out = sys.stdout
    return (VERSION, tuple(argv), cwd, tuple(env), _tty(1), _tty(2),
            getattr(out, "encoding", None), getattr(out, "errors", None), sys.executable, sys.version,
            os.path.dirname(importguard.__file__), importguard.__version__)


def wanted(argv: "list[str]") -> bool:
    return bool(argv) and argv[0] == "check" and "--no-cache" not in argv and os.environ.get("IMPORTGUARD_FAST") != "0"


def _open(cwd: str):
    """The record file, open: in the cache folder of the working folder or of a folder above it."""
    d = cwd
    while True:
        try:
            return open(os.path.join(d, NAME), "rb")
        except OSError:
            pass
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def replay(argv: "list[str]") -> "int | None":
    """The recorded run's exit status after printing its output; None when it cannot be replayed."""
    if not wanted(argv):
        return None
    try:
        cwd = os.getcwd()
        fh = _open(cwd)
        if fh is None:
            return None
        with fh:
            header = marshal.load(fh)
            mine = key(argv, cwd)
            at = fh.tell()
            for k, n in header:
                if k == mine:
                    fh.seek(at)
                    entry = marshal.loads(fh.read(n))
                    break
                at += n
            else:
                return None
        root, names, sigs, text, code = entry
        if not _unchanged(root, names.split("\0"), sigs):
            return None
        sys.stdout.write(text)  # encoded whole before anything is written: an error prints nothing
        sys.stdout.flush()
    except Exception:  # a record torn, of another layout, or unreadable: the usual path
        return None
    stats = os.environ.get("IMPORTGUARD_STATS_FILE")
    if stats:
        try:
            with open(stats, "a", encoding="utf-8") as fh:
                fh.write('{"fast_lane": 1, "pid": %d}\n' % os.getpid())
        except OSError:
            pass
    return code


def _unchanged(root: str, names: "list[str]", sigs: "list[int]") -> bool:
    """Whether each of ``names`` (relative to ``root``, or absolute) has the recorded signature."""
    if os.stat not in os.supports_dir_fd:  # pragma: no cover - Windows
        names = [os.path.join(root, n) for n in names]
        fd = None
    else:
        fd = os.open(root, os.O_RDONLY)
    try:
        stat = os.stat
        i = 0
        for name in names:
            try:
                st = stat(name, dir_fd=fd)
                ok = st.st_ino == sigs[i + 3] and ((st.st_size == sigs[i] and st.st_mtime_ns == sigs[i + 1]
                                                    and st.st_ctime_ns == sigs[i + 2]) or sigs[i] == SAME_FOLDER)
            except (FileNotFoundError, NotADirectoryError):
                ok = sigs[i] == -1
            if not ok:
                return False
            i += 4
        return True
    finally:
        if fd is not None:
            os.close(fd)
