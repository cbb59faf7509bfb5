"""One exception tree: every error a package defines derives from GovwatchError (config/errors.py), so the CLI
prints any of them as one line with its exit code, never as a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PACKAGES, ROOT

#: signals, not errors: the workbench answers them with a redirect or a 403 (a GovwatchError would be shown as a
#: message instead), and the service's jobs end on ``Stopped``
SIGNALS = {"web.security.CsrfRefused", "web.security.Forbidden", "web.security.LoginRequired",
           "govwatch.scheduler.Stopped"}

# run apart from pytest: its sys.path makes tests/web/ shadow the web/ package
_LIST_ERRORS = """
import importlib, inspect, json, pkgutil, sys
from config.errors import GovwatchError
found = {}
for package in sys.argv[1:]:
    mod = importlib.import_module(package)
    names = [package] + [m.name for m in pkgutil.walk_packages(mod.__path__, package + ".")
                         if ".migrations." not in m.name and not m.name.endswith("__main__")]
    for name in names:
        for cls_name, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name and not cls_name.startswith("_"):
                found[f"{name}.{cls_name}"] = issubclass(cls, GovwatchError)
print(json.dumps(found))
"""


def defined_errors() -> dict[str, bool]:
    """The public exception classes defined in the packages' modules (``module.Class``): in the tree or not."""
    done = subprocess.run([sys.executable, "-c", _LIST_ERRORS, *PACKAGES], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    return json.loads(done.stdout)


def test_every_error_of_the_packages_joins_the_govwatch_tree() -> None:
    errors = defined_errors()
    assert {"config.errors.ChannelError", "crawler.doctext.DocError", "crawler.redirects.OffsiteRedirectError",
            "web.security.Forbidden"} <= set(errors)
    assert sorted(name for name, in_tree in errors.items() if not in_tree) == sorted(SIGNALS)
