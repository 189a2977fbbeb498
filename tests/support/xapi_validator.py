"""A third party's reading of xAPI 1.0.3: Learning Locker's ``@learninglocker/xapi-validation`` (npm),
run under node by ``tests/support/xapi_validate.js``. ``make install`` installs it (``npm ci``)."""
from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from support import ROOT

SCRIPT = ROOT / "tests" / "support" / "xapi_validate.js"
PACKAGE = ROOT / "node_modules" / "@learninglocker" / "xapi-validation"


def validate(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The validator's warnings about ``statements``: ``[{index, id, path, warning, detail, value}]``,
    empty when every statement is valid."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed; the xAPI validator runs under Node.js")
    if not PACKAGE.is_dir():
        raise RuntimeError(f"{PACKAGE} is missing: run `make install` (it runs `npm ci`)")
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps(statements), capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the xAPI validator failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)
