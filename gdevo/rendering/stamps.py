"""Stamps: small JSON notes under renders/.stamps/ saying which inputs an output was made from.

An output is up to date when it exists and its stamp holds the key of the current inputs.
Stamps are written atomically (temporary name, rename) and removed *before* an output is
remade, so an interrupted job never leaves a stamp that vouches for half-written files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sim.trace import atomic_write_bytes


def digest(obj) -> str:
    """A short key for any JSON-able description of inputs."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def stamp_path(renders: Path, kind: str, name: str) -> Path:
    return renders / ".stamps" / kind / f"{name}.json"


def read(renders: Path, kind: str, name: str) -> dict:
    try:
        data = json.loads(stamp_path(renders, kind, name).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(renders: Path, kind: str, name: str, data: dict) -> None:
    body = json.dumps(data, indent=1).encode()
    atomic_write_bytes(stamp_path(renders, kind, name), lambda fh: fh.write(body))


def clear(renders: Path, kind: str, name: str) -> None:
    stamp_path(renders, kind, name).unlink(missing_ok=True)


def fresh(renders: Path, kind: str, name: str, key: str, *outputs: Path) -> dict | None:
    """The stamp (in the RENDERS folder) when every output exists and its key is KEY; else None."""
    data = read(renders, kind, name)
    if data.get("key") == key and all(Path(p).is_file() for p in outputs):
        return data
    return None
