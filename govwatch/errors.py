"""The error hierarchy, re-exported for the app shell; it is defined at the bottom, in config/errors.py."""

from __future__ import annotations

from config.errors import *  # noqa: F403 - the whole tree, as config.errors.__all__ names it
from config.errors import __all__  # noqa: F401 - re-exported: the same names
