"""The embedded store's key file: made once, owner-only, and only ever a key of one's own.

Whoever can put a key file where the bureau looks before the store is made would have every
identity encrypted with a key they know: in a shared folder another user could plant
`bureau.key` (mode 0600, theirs) and read every id. So a key file is used only when it is a
regular file (not a symbolic link, not a folder), owned by the user running the command and
readable by them only, in a folder owned by them (or root) that no group and no other user may
write to. A sticky folder such as /tmp is refused too: others cannot replace a file there, but
they can still plant one before it is made.

The checks hold against a race: the folder is opened once and every later step works on that
descriptor (`dir_fd`), the key is opened with O_NOFOLLOW and checked with `fstat` on the open
descriptor, never by a second look-up of its path; a key is made with O_EXCL, so it is never
one somebody else made in the meantime.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from creditmend.adapters.vault import VaultKeyError

_OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_OPEN_KEY = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO never blocks
_MAKE_KEY = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_KEY_BYTES = 256  # a key is 44 characters; a bigger file is not one


def read_key_file(path: Path, *, make: str | None, missing: str) -> str:
    """The key in the file at `path`, after the checks above.

    A file not there is made with the key `make` when it is given (a new store), and otherwise
    is the error `missing` (a store made with a key that is gone must not get a new one)."""
    folder = _open_folder(path)
    try:
        if make is not None:
            _make(path, folder, make)
        return _read(path, folder, missing)
    finally:
        os.close(folder)


def _open_folder(path: Path) -> int:
    try:
        folder = os.open(path.parent, _OPEN_FOLDER)
    except OSError as error:
        raise VaultKeyError(f"cannot open the folder {path.parent}: {error.strerror}") from None
    info = os.fstat(folder)
    reason = None
    if info.st_uid not in (os.geteuid(), 0):
        reason = f"belongs to another user (uid {info.st_uid})"
    elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        reason = f"is writable by others (mode {stat.S_IMODE(info.st_mode):o})"
    if reason is not None:
        os.close(folder)
        raise VaultKeyError(
            f"the folder {path.parent} of the key file {reason}: keep the store and its key "
            "in a folder of your own (chmod 700), or set CREDITMEND_KEY"
        )
    return folder


def _make(path: Path, folder: int, key: str) -> None:
    try:
        descriptor = os.open(path.name, _MAKE_KEY, 0o600, dir_fd=folder)
    except FileExistsError:
        return  # there already (or made meanwhile): read, and judged, like any key file
    except OSError as error:
        raise VaultKeyError(f"cannot make the key file {path}: {error.strerror}") from None
    try:
        os.write(descriptor, (key + "\n").encode("ascii"))
        os.fsync(descriptor)
    except OSError as error:
        os.close(descriptor)
        os.unlink(path.name, dir_fd=folder)
        raise VaultKeyError(f"cannot write the key file {path}: {error.strerror}") from None
    os.close(descriptor)


def _read(path: Path, folder: int, missing: str) -> str:
    try:
        found = os.stat(path.name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        raise VaultKeyError(missing) from None
    except OSError as error:
        raise VaultKeyError(f"cannot read the key file {path}: {error.strerror}") from None
    _judge(path, found)  # said before opening: a symlink or a FIFO is never opened
    try:
        descriptor = os.open(path.name, _OPEN_KEY, dir_fd=folder)
    except FileNotFoundError:
        raise VaultKeyError(missing) from None
    except OSError as error:
        raise VaultKeyError(f"cannot read the key file {path}: {error.strerror}") from None
    try:
        opened = os.fstat(descriptor)
        _judge(path, opened)  # the file opened, not the path: it may have changed meanwhile
        text = os.read(descriptor, _KEY_BYTES + 1)
    finally:
        os.close(descriptor)
    if len(text) > _KEY_BYTES:
        raise VaultKeyError(f"{path} is not a creditmend key file (too long)")
    return text.decode("ascii", errors="replace").strip()


def _judge(path: Path, info: os.stat_result) -> None:
    """Refuse what is not a key file of one's own, naming the path and why."""
    if stat.S_ISLNK(info.st_mode):
        reason = f"{path} is a symbolic link, not a key file"
    elif stat.S_ISDIR(info.st_mode):
        reason = f"{path} is a folder, not a key file"
    elif not stat.S_ISREG(info.st_mode):
        reason = f"{path} is not a regular file, not a key file"
    elif info.st_uid != os.geteuid():
        reason = (
            f"{path} belongs to another user (uid {info.st_uid}): a key somebody else made "
            "could be theirs; use a key file of your own"
        )
    elif info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        reason = f"{path} must be readable by its owner only (chmod 600)"
    else:
        return
    raise VaultKeyError(reason)
