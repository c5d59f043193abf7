"""Accepting uploaded documents: check type and size, sanitise the name, save into the upload folder.

A saved file never lands outside the upload folder and never overwrites anything: the name is reduced to a
safe basename, and on a clash a numeric suffix is added (`notes-1.md`). Rejections come back as
(name, reason) pairs for the page to show; nothing here raises for a bad file.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES: tuple[str, ...] = (".md", ".txt", ".pdf", ".html", ".htm", ".docx")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_NAME_CHARS = 120

_UNSAFE_CHARS_RE = re.compile(r'[<>:"|?*\\/]')
_SPACES_RE = re.compile(r"\s+")


class UploadRejected(ValueError):
    """A file that will not be saved; the message says why, in words for the page."""


@dataclass
class UploadResult:
    """What happened to a batch of uploads."""

    saved: list[Path] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)


def sanitize_filename(name: str) -> str:
    """Reduce a client-supplied file name to a safe basename with a supported suffix.

    Args:
        name: The name as the browser sent it (may hold a path, `..`, control characters).

    Returns:
        A basename without path separators, control characters or leading dots, at most
        `MAX_NAME_CHARS` long, with its (lower-cased) suffix kept.

    Raises:
        UploadRejected: The suffix is not a supported document type.
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")  # control, format, unassigned
    base = _UNSAFE_CHARS_RE.sub("_", base)
    base = _SPACES_RE.sub(" ", base).strip().lstrip(".").strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = f".{suffix.lower()}" if suffix else ""
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no extension)"
        raise UploadRejected(f"{shown} files are not supported; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    stem = stem.strip(" .") or "upload"
    stem = stem[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") or "upload"
    return stem + suffix


def _megabytes(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 104_858 else f"{n} bytes"


def _claim_unique(folder: Path, name: str) -> Path:
    """Create an empty file `folder/name` (or `name-1`, `name-2`, ...) exclusively and return its path."""
    stem, suffix = os.path.splitext(name)
    for i in range(0, 10_000):
        candidate = folder / (name if i == 0 else f"{stem}-{i}{suffix}")
        try:
            with open(candidate, "xb"):
                return candidate
        except FileExistsError:
            continue
    raise UploadRejected("too many files with this name in the upload folder")


def save_upload(
    src: Path, upload_dir: Path, *, name: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES
) -> Path:
    """Check one uploaded file and copy it into the upload folder under a safe, unused name.

    Args:
        src: Where the uploaded bytes are now (Gradio's temporary copy).
        upload_dir: The upload folder (created if missing).
        name: The original file name; defaults to `src.name`.
        max_bytes: The size limit.

    Returns:
        The path of the saved copy, inside `upload_dir`.

    Raises:
        UploadRejected: Unsupported type, empty, too large, or unreadable.
    """
    safe = sanitize_filename(name or src.name)
    try:
        size = src.stat().st_size
    except OSError as err:
        raise UploadRejected(f"the upload could not be read ({err.strerror})") from err
    if size == 0:
        raise UploadRejected("the file is empty")
    if size > max_bytes:
        raise UploadRejected(f"the file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}")
    upload_dir.mkdir(parents=True, exist_ok=True)
    folder = upload_dir.resolve()
    dest = _claim_unique(folder, safe)
    if dest.resolve().parent != folder:  # defence in depth: sanitize_filename already removed separators
        dest.unlink(missing_ok=True)
        raise UploadRejected("unsafe file name")
    try:
        shutil.copyfile(src, dest)
    except OSError as err:
        dest.unlink(missing_ok=True)
        raise UploadRejected(f"the file could not be saved ({err.strerror})") from err
    return dest


def save_uploads(files: list[Path], upload_dir: Path, *, max_bytes: int = MAX_UPLOAD_BYTES) -> UploadResult:
    """Save a batch of uploads; each bad file becomes a (name, reason) rejection instead of an error."""
    result = UploadResult()
    for src in files:
        try:
            result.saved.append(save_upload(src, upload_dir, max_bytes=max_bytes))
        except UploadRejected as err:
            result.rejected.append((src.name, str(err)))
    return result
