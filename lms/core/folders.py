"""Reading a course folder from disk, as untrusted input.

A course folder comes from a trainer's machine or a repository: :func:`read_tree`
never follows a symbolic link and never reads a file outside the folder, refuses
anything that is not a regular file or folder, stops at :data:`MAX_FOLDER_DEPTH`
and reads no file over its size limit. What it refuses is a :class:`Problem`
with a code (the words are chosen where it is shown, see :mod:`lms.core.problems`).
"""
from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .assets import ASSET_EXTENSIONS
from .problems import Problem, define

LINK_REFUSED = define("file.link", "is a symbolic link; course folders may not contain links: copy the file in instead")
UNREADABLE = define("file.unreadable", "cannot be read: %(reason)s")
NOT_REGULAR = define("file.not-regular", "is not a regular file; a course holds .md files and images")
OUTSIDE = define("file.outside",
                 "lies outside the course folder (a folder on its way is a link); copy the file in instead")
TOO_LARGE = define("file.too-large", "file is %(size)s MB, over the limit of %(limit)s MB; make it smaller or split it")
NOT_UTF8 = define("file.not-utf8", "file is not UTF-8; save it with UTF-8 encoding")
WINDOWS_1251 = define("file.windows-1251",
                      "file is not UTF-8 (it looks like Windows-1251); save it with UTF-8 encoding")
TOO_DEEP = define("folder.too-deep", "folders nest more than %(depth)s levels deep; a course needs two or three")
TOO_MANY_FILES = define("folder.too-many-files", "a course may hold at most %(limit)s files")

MAX_FOLDER_DEPTH = 8
"""A course is course.md, module folders and perhaps an images folder in each: 8 levels is plenty."""
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class Limits:
    text_bytes: int = 1_000_000
    asset_bytes: int = 5_000_000
    files: int = 2_000

    def for_path(self, path: str) -> int:
        """The size limit of the file at ``path``: images have their own."""
        return self.asset_bytes if posixpath.splitext(path)[1].lower() in ASSET_EXTENSIONS else self.text_bytes


def megabytes(size: int) -> float:
    """A byte count as megabytes rounded to one decimal, for a problem's parameters
    (the view writes it in the reader's number format)."""
    return round(size / 1_000_000, 1)


def too_large(path: str, size: int, limit: int) -> Problem:
    return Problem.of(path, 0, TOO_LARGE, size=megabytes(size), limit=megabytes(limit))


class _Unreadable(Exception):
    """A file under a course folder that must not be read; ``code`` and ``params`` say why."""

    def __init__(self, code: str, **params: str):
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = params


def _read_inside(path: Path, inside: Path, limit: int) -> bytes | None:
    """The bytes of the regular file ``path``, or None when it holds more than ``limit``.

    The file is opened without following a link, checked to be a regular file
    and to lie under ``inside`` once every folder on its way is resolved, so a
    folder swapped for a link while the tree is read cannot lead outside.
    Raises :class:`_Unreadable` otherwise.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if path.is_symlink():
            raise _Unreadable(LINK_REFUSED) from None
        raise _Unreadable(UNREADABLE, reason=exc.strerror or "") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable(NOT_REGULAR)
        if not path.resolve().is_relative_to(inside):
            raise _Unreadable(OUTSIDE)
        if info.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    finally:
        os.close(fd)


def read_tree(root: Path, display: str, limits: Limits = Limits()) -> tuple[dict[str, bytes], list[Problem]]:
    """Read every file under ``root``; oversized files are reported, not read.

    Symbolic links (to files or folders, and ``root`` itself) are reported and
    never followed, nothing outside ``root`` is read, and anything that is not
    a regular file or folder (a pipe, a device) is reported. Names starting
    with ``.`` are skipped.
    """
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    if root.is_symlink():
        return files, [Problem.of(display, 0, LINK_REFUSED)]
    inside = root.resolve()

    def walk(directory: Path, prefix: str) -> bool:
        """Read ``directory`` into ``files``; False once the file limit stops the reading."""
        here = f"{display}/{prefix}".rstrip("/")
        if prefix.count("/") > MAX_FOLDER_DEPTH:
            problems.append(Problem.of(here, 0, TOO_DEEP, depth=MAX_FOLDER_DEPTH))
            return True
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            problems.append(Problem.of(here, 0, UNREADABLE, reason=exc.strerror or ""))
            return True
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            shown = f"{display}/{rel}"
            if entry.is_symlink():
                problems.append(Problem.of(shown, 0, LINK_REFUSED))
            elif entry.is_dir(follow_symlinks=False):
                if not walk(directory / entry.name, rel + "/"):
                    return False
            elif not entry.is_file(follow_symlinks=False):
                problems.append(Problem.of(shown, 0, NOT_REGULAR))
            else:
                size = entry.stat(follow_symlinks=False).st_size
                limit = limits.for_path(rel)
                if size > limit:
                    problems.append(too_large(shown, size, limit))
                    continue
                if len(files) >= limits.files:
                    problems.append(Problem.of(shown, 0, TOO_MANY_FILES, limit=limits.files))
                    return False
                try:
                    data = _read_inside(directory / entry.name, inside, limit)
                except _Unreadable as refused:
                    problems.append(Problem.of(shown, 0, refused.code, **refused.params))
                    continue
                if data is None:
                    problems.append(too_large(shown, limit + 1, limit))
                else:
                    files[rel] = data
        return True

    walk(root, "")
    return files, problems


def decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 text; anything else is a problem naming the line."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("cp1251")
        except UnicodeDecodeError:
            return None, Problem.of(path, line, NOT_UTF8)
        return None, Problem.of(path, line, WINDOWS_1251)


def course_dirs(root: Path) -> list[Path]:
    """Course folders under ``root``: ``root`` itself if it holds course.md, else its children.

    Links are not followed: a linked child folder is not listed
    (:func:`lms.core.content.check_directory` reports it).
    """
    if os.path.lexists(root / "course.md"):
        return [root]
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and not p.is_symlink()
                  and p.is_dir() and os.path.lexists(p / "course.md"))
