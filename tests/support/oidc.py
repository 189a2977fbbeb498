"""A real, certified OpenID provider for the tests: panva's ``oidc-provider`` (npm) under node, started by
``tests/support/oidc_provider.mjs`` on a free local port. ``make install`` installs it (``npm ci``).

The provider's own development login page (``devInteractions``) signs anyone in whose login is a key of
the accounts file; :meth:`OpenIDProvider.set_account` writes it (the provider reads it at each lookup, so
a test changes a person's groups between two sign-ins). :meth:`OpenIDProvider.sign_in` drives that page
over HTTP with ``requests``, for tests without a browser.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from support import ROOT, free_port

SCRIPT = ROOT / "tests" / "support" / "oidc_provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider"
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
CLIENT_ID = "lms-site"
CLIENT_SECRET = "lms-site-test-secret-0123456789abcdef"




class OpenIDProvider:
    """One provider: ``issuer``; the site's client ``CLIENT_ID``/``CLIENT_SECRET`` may come back to
    ``<base>/login/oidc/callback`` and ``<base>/logout/oidc`` of each base in ``site_bases``."""

    def __init__(self, root: Path, site_bases: list[str]) -> None:
        self.root = root
        self.port = free_port()
        self.accounts_file = root / "accounts.json"
        self.accounts_file.write_text("{}", encoding="utf-8")
        self.settings = root / "settings.json"
        self.settings.write_text(json.dumps({
            "port": self.port,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{base}/login/oidc/callback" for base in site_bases],
            "post_logout_redirect_uris": [f"{base}/logout/oidc" for base in site_bases],
            "accounts": str(self.accounts_file),
        }), encoding="utf-8")
        self.log = root / "provider.log"
        self.process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self, **extra: Any) -> dict[str, Any]:
        """The site's settings for this provider."""
        return {"LMS_OIDC_ISSUER": self.issuer, "LMS_OIDC_CLIENT_ID": CLIENT_ID,
                "LMS_OIDC_CLIENT_SECRET": CLIENT_SECRET, "LMS_OIDC_SCOPES": "openid email profile groups",
                **extra}

    def reset_accounts(self) -> None:
        """No accounts (a test starts from none when the provider is shared)."""
        self.accounts_file.write_text("{}", encoding="utf-8")

    def set_account(self, login: str, *, email: str, name: str, groups: list[str] | None = None,
                    email_verified: bool = True) -> None:
        """Create or change the account ``login`` (its subject at the provider)."""
        accounts = json.loads(self.accounts_file.read_text(encoding="utf-8"))
        accounts[login] = {"email": email, "email_verified": email_verified, "name": name, "groups": groups or []}
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")

    def start(self, timeout: float = 30.0) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not installed; the test OpenID provider runs under Node.js")
        if not PACKAGE.is_dir():
            raise RuntimeError(f"{PACKAGE} is missing: run `make install` (it runs `npm ci`)")
        log = self.log.open("w")
        self.process = subprocess.Popen([node, str(SCRIPT), str(self.settings)], cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the OpenID provider stopped: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the OpenID provider did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def sign_in(self, authorization_url: str, login: str, browser: requests.Session | None = None) -> str:
        """Follow ``authorization_url`` (where the site sent the browser) through the provider's login page
        as ``login``; return the address the provider sends the browser back to (the site's callback with
        the code and state). ``browser`` keeps the provider's cookies between sign-ins."""
        browser = browser or requests.Session()
        response = browser.get(authorization_url, allow_redirects=False, timeout=10)
        for _hop in range(10):
            location = response.headers.get("Location")
            if response.status_code in (302, 303) and location:
                target = urljoin(response.url, location)
                if not target.startswith(self.issuer):
                    return target  # back to the site
                response = browser.get(target, allow_redirects=False, timeout=10)
            elif response.status_code == 200 and 'name="login"' in response.text:
                action = response.text.split('action="', 1)[1].split('"', 1)[0]
                hidden = dict(HIDDEN_INPUT.findall(response.text))  # prompt=login
                response = browser.post(urljoin(response.url, action),
                                        data={**hidden, "login": login, "password": "any"},
                                        allow_redirects=False, timeout=10)
            else:
                raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
        raise AssertionError("the provider never sent the browser back")
