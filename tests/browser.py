"""Playwright driving Debian's Chromium for browser tests; never a downloaded browser."""

import json
import os
import re
from base64 import b32decode
from pathlib import Path

import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

from .auth_support import code_for, code_for_key

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture(scope="module")
def chromium(django_db_setup):
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread while it
    is open. Django refuses database calls while a loop runs, and its connection handler then
    resolves to other connection objects (asgiref's Local follows the loop's context). So, for
    this module only: the async guard is lifted, the new connections get the serialized test
    data that serialized_rollback restores, and they are closed before the loop goes away."""

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/setup.sh installs Debian's chromium")
    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Walker:
    """One user's browser session with screenshots per step and axe checks."""
    def __init__(self, browser, base_url, name):
        # bypass_csp lets the test inject axe-core; the portal's own pages still run under the CSP.
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                           bypass_csp=True, locale="zh-CN")
        self.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base_url}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.name = name
        self.step = 0
        self.errors = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def shot(self, label):
        self.step += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w-]+", "-", label)
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{self.step:02d}-{safe}.png"), full_page=True)

    def login(self, username, password):
        """The login form, then the second step as a person with an authenticator app would take it:
        on first login, enrol by typing the secret the page shows; later, the code of the moment."""
        self.page.goto("/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state()
        path = self.page.url.split("://", 1)[-1].split("/", 1)[-1]
        if path.startswith("accounts/two-factor/setup/"):
            secret = self.page.locator("[data-totp-secret]").inner_text().replace(" ", "")
            self.page.get_by_label("验证码").fill(code_for_key(b32decode(secret + "=" * (-len(secret) % 8))))
            self.page.get_by_role("button", name="验证并启用").click()
            self.page.get_by_role("link", name="我已保存恢复码，继续").click()
            self.page.wait_for_load_state()
        elif path.startswith("accounts/two-factor/"):
            device = TOTPDevice.objects.get(user__username=username, confirmed=True)
            self.page.get_by_label("验证码").fill(code_for(device))
            self.page.get_by_role("button", name="验证").click()
            self.page.wait_for_load_state()

    def axe(self, allowed_impacts=("minor", "moderate")):
        """Run axe-core on the current page; return serious or critical violations."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v.get("impact") not in allowed_impacts]
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"][:3]]} for v in bad]

    def assert_accessible(self):
        bad = self.axe()
        assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)

    def close(self):
        self.context.close()
