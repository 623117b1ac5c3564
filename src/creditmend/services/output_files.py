"""Every file the product writes, written one way: whole or not at all, owner-only, never
through a symbolic link.

A report, a letter, a plan, a model, a rejects file, a synthetic population or a batch's
Parquet holds account-level financial data, so:

- it is created 0600 and the folders made for it 0700, whatever the umask (the command line
  also sets the umask to 0o077, for what engines create on their own);
- it is written to a temporary file in the target's folder, flushed and fsynced, then renamed
  over the target (`os.replace`, atomic on POSIX): a full disk, a file-size limit or a crash
  mid-write leaves the previous file as it was, never a truncated one, and no temporary file;
- a target that is a symbolic link is refused before anything is written: the product writes
  the file it was told to, never whatever a link planted there points at.

An `OSError` (ENOSPC, EFBIG, EROFS, EACCES, ...) is a one-line problem naming the path and the
system's reason, under the field the caller gives (`--out` from the command line, a domain
field from a service). Stdlib only and no engine, so services and the interfaces share it; a
run that writes many files (synth, the batch's engines) writes them into a `staging` folder
that is published file by file at the end, each the same way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from creditmend.domain.problems import Problem, ProblemsError

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def _problem(field: str, message: str) -> ProblemsError:
    return ProblemsError((Problem(field, message),))


def cannot_write(field: str, path: Path, error: OSError) -> ProblemsError:
    """The one-line problem of a write the system refused: the path and its reason."""
    return _problem(field, f"cannot write {path}: {error.strerror or error}")


def link_refused(path: Path) -> str | None:
    """Why `path` is refused as a target: it is a symbolic link (None if it is not)."""
    if path.is_symlink():
        return f"{path} is a symbolic link; give the path of a regular file or a new name"
    return None


def refuse_link(path: Path, field: str) -> None:
    """A target that is a symbolic link is refused (checked before any work is done, and again
    before writing): the link and what it points at are left untouched."""
    if (refused := link_refused(path)) is not None:
        raise _problem(field, refused)


def make_folder(folder: Path, field: str) -> None:
    """`folder` and its missing parents, each made owner-only (0700); one line if it cannot be."""
    missing = []
    for level in (folder, *folder.parents):
        if level.exists() or level.is_symlink():
            break
        missing.append(level)
    try:
        for level in reversed(missing):
            level.mkdir(mode=FOLDER_MODE, exist_ok=True)
        if not folder.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(folder))
    except OSError as error:
        raise _problem(field, f"cannot create {folder}: {error.strerror or error}") from None


@contextmanager
def writing(path: Path, field: str, newline: str | None = "\n") -> Iterator[IO[str]]:
    """A text file written as it is made (a CSV, a rejects file): into a temporary file beside
    `path` (0600), renamed over `path` once the block ends without an error; on any error the
    temporary file is removed and `path` is as it was."""
    if _special(path):
        with (
            _in_place(path, field) as descriptor,
            os.fdopen(descriptor, "w", encoding="utf-8", newline=newline) as handle,
        ):
            yield handle
        return
    with _temporary(path, field) as (descriptor, temporary):
        with os.fdopen(descriptor, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _replace(temporary, path, field)


def write_file(path: Path, data: str | bytes, field: str) -> None:
    """A whole file (a report, a letter, a model): text as UTF-8, or bytes (a PDF)."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    if _special(path):
        with _in_place(path, field) as descriptor, os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        return
    with _temporary(path, field) as (descriptor, temporary):
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        _replace(temporary, path, field)


def _special(path: Path) -> bool:
    """A device or a pipe (`/dev/null`, a FIFO): written into as it is, never replaced by a
    file (there is nothing in it to keep whole, and the node itself must stay)."""
    return path.exists() and not path.is_file() and not path.is_dir() and not path.is_symlink()


@contextmanager
def _in_place(path: Path, field: str) -> Iterator[int]:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    except OSError as error:
        raise cannot_write(field, path, error) from None
    try:
        yield descriptor
    except OSError as error:
        raise cannot_write(field, path, error) from None


@contextmanager
def _temporary(path: Path, field: str) -> Iterator[tuple[int, Path]]:
    """An owner-only temporary file in `path`'s folder (mkstemp: 0600, a name nobody could
    have planted), removed whatever happens unless it was renamed into place; an OSError
    meanwhile is the one-line problem naming `path`."""
    refuse_link(path, field)
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise cannot_write(field, path, error) from None
    temporary = Path(name)
    try:
        yield descriptor, temporary
    except OSError as error:
        raise cannot_write(field, path, error) from None
    finally:
        temporary.unlink(missing_ok=True)


def _replace(temporary: Path, path: Path, field: str) -> None:
    refuse_link(path, field)  # planted while the file was being made
    os.replace(temporary, path)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """The rename made durable (the folder's entry on disk); skipped where a folder cannot be
    opened for that (not POSIX)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextmanager
def staging(folder: Path, field: str) -> Iterator[Path]:
    """A hidden owner-only folder inside `folder` for a run that writes many files (synth, the
    batch): the run writes there under the final relative names; when it ends without an error
    every file is published into `folder` (each fsynced, made 0600 and renamed into place,
    after checking that no target is a symbolic link); the staging folder is removed whatever
    happens, so a failed run leaves no half file under a final name."""
    make_folder(folder, field)
    try:
        stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    except OSError as error:
        raise cannot_write(field, folder, error) from None
    try:
        yield stage
        _publish(stage, folder, field)
    except OSError as error:
        raise cannot_write(field, folder, error) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _publish(stage: Path, folder: Path, field: str) -> None:
    files = sorted(p for p in stage.rglob("*") if p.is_file() and not p.is_symlink())
    targets = [folder / p.relative_to(stage) for p in files]
    for target in targets:  # every link refused before any file is moved
        relative = target.relative_to(folder)
        for level in (relative, *relative.parents[:-1]):  # the file and the folders made for it
            refuse_link(folder / level, field)
    for source, target in zip(files, targets, strict=True):
        make_folder(target.parent, field)
        source.chmod(FILE_MODE)
        descriptor = os.open(source, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(source, target)
    for parent in sorted({t.parent for t in targets}):
        _sync_folder(parent)
