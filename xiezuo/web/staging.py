"""Uploads kept between a preview and its confirmation: files under VAR_DIR/staging, named at random.

A staged file is found again only by the name a signed form carries; files older than `MAX_AGE`
are removed whenever a new one is staged.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

MAX_AGE = 6 * 3600


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "staging"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _sweep(where: Path) -> None:
    limit = time.time() - MAX_AGE
    for old in where.glob("upload-*"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink(missing_ok=True)
        except OSError:
            continue


def stage(upload: UploadedFile[bytes], *, suffix: str) -> Path:
    where = folder()
    _sweep(where)
    path = where / f"upload-{secrets.token_hex(16)}{suffix if suffix.replace('.', '').isalnum() else ''}"
    with path.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return path


def staged(name: str) -> Path:
    """The staged file of this name; FileNotFoundError when it is gone (confirmed already, or swept)."""
    if not name.startswith("upload-") or "/" in name or "\\" in name or ".." in name:
        raise FileNotFoundError(name)
    path = folder() / name
    if not path.is_file():
        raise FileNotFoundError(name)
    return path
