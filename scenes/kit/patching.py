"""The one way the kit replaces a piece of manim: once per process, marked on what it changed.

Each of the kit's stand-ins (family.py, bounds.py, subpaths.py, tex_cache.py, ...) gives manim's
own result faster or shared across chapters; importing its module installs it. A flag on the
owner makes a second import (a test's, a reload's) a no-op, so an original kept by a wrapper is
never itself wrapped.
"""

from __future__ import annotations

from typing import Any


def install_once(owner: Any, flag: str, **replacements: Any) -> bool:
    """Set each of REPLACEMENTS (name=value) on OWNER unless FLAG is set on it; set FLAG.
    True if it replaced them now."""
    if getattr(owner, flag, False):
        return False
    for name, value in replacements.items():
        setattr(owner, name, value)
    setattr(owner, flag, True)
    return True
