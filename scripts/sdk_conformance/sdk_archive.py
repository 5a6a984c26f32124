"""The source archive of an installed Azure SDK (its tests and samples), downloaded from PyPI once into a cache."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path


def sdk_source(package: str, cache: Path, *, marker: str) -> Path:
    """Return the unpacked sdist of the installed `package`, downloading it when `marker` (a folder) is missing.

    Args:
        package: The PyPI name, e.g. `azure-cosmos`.
        cache: Where archives are downloaded and unpacked.
        marker: A folder of the unpacked archive whose presence means it is already there (`tests`, `samples`).
    """
    wanted = version(package)
    stem = f"{package.replace('-', '_')}-{wanted}"
    unpacked = cache / stem
    if not (unpacked / marker).is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        pin = [f"{package}=={wanted}", "-d", str(cache)]
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", *pin],
            check=True,
        )
        with tarfile.open(cache / f"{stem}.tar.gz") as archive:
            archive.extractall(cache, filter="data")
    return unpacked
