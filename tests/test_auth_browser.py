"""What a signed-in user sees of the session clock, in Debian's Chromium: a warning shortly before the
idle time-out, which "继续工作" dismisses by restarting the clock (static/js/session.js)."""

import pytest
from playwright.sync_api import expect

from tests.browser import Walker, chromium  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_idle_warning_appears_and_keep_working_dismisses_it(chromium, live_server, national, settings):  # noqa: F811
    # The warning is due 5 seconds after the clock last restarted (30 minutes minus 1795 seconds).
    settings.SESSION_WARNING_SECONDS = 30 * 60 - 5
    walker = Walker(chromium, live_server.url, "auth-session-warning")
    try:
        walker.login(national.username, PASSWORD)  # the password, then enrolment of the second factor
        walker.page.goto("/national/")
        warning = walker.page.get_by_role("alert").filter(has_text="分钟后结束")
        expect(warning).to_be_visible(timeout=15000)
        walker.shot("warning")
        walker.page.get_by_role("button", name="继续工作").click()
        expect(warning).to_be_hidden()
        assert not walker.errors, walker.errors
    finally:
        walker.close()
