"""Real packages from PyPI at pinned versions, fetched once into ``.cache/corpora``
(ignored by git)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "corpora"


def fetch(name: str, version: str) -> Path:
    """The unpacked source distribution of ``name==version``; downloaded on first use only."""
    target = CACHE / f"{name}-{version}"
    if (target / ".complete").exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    download = CACHE / "downloads"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(download),
            f"{name}=={version}",
        ],
        check=True,
    )
    normalised = name.replace("-", "_").lower()
    archive = next(
        p
        for p in sorted(download.iterdir())
        if p.name.replace("-", "_").lower().startswith(f"{normalised}_{version}")
    )
    target.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(target)
    else:
        with tarfile.open(archive) as tf:
            if hasattr(tarfile, "data_filter"):
                tf.extractall(target, filter="data")
            else:  # Python < 3.9.17 / 3.10.12 / 3.11.4
                tf.extractall(target)
    (target / ".complete").write_text(archive.name)
    return target
