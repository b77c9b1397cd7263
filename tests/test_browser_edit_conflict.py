"""Two people edit the same section of a draft in two Chromium pages: the second save is refused with
both texts side by side, nothing typed is lost, and saving the merged text goes through."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.enums import Role
from applications.models import Application
from tests.browser import Walker, chromium  # noqa: F401
from tests.conftest import PASSWORD
from tests.factories import complete_application
from typography.punctuation import fullwidth

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_pages_edit_the_same_section(chromium, live_server, applicant, make_user):  # noqa: F811
    application = complete_application(applicant)
    colleague = make_user(Role.APPLICANT, applicant.organisation)
    url = reverse("applications:section", args=[application.pk, "plan"])
    first, second = Walker(chromium, live_server.url, "conflict-first"), Walker(chromium, live_server.url,
                                                                                  "conflict-second")
    try:
        first.login(applicant.username, PASSWORD)
        second.login(colleague.username, PASSWORD)
        first.page.goto(url)
        second.page.goto(url)  # both pages loaded before either saves

        first.page.locator("textarea[name=plan_situation]").fill("甲:产业集聚度高,龙头企业12家。")
        first.page.get_by_role("button", name="保存草稿").click()
        expect(first.page.get_by_text("已保存“建设方案”。")).to_be_visible()

        typed = "乙:专利密集型产业产值占比逐年上升。"
        second.page.locator("textarea[name=plan_situation]").fill(typed)
        second.page.locator("textarea[name=plan_goals]").fill("乙:五年内建成国内领先的专利导航示范区。")
        second.page.get_by_role("button", name="保存草稿").click()
        conflict = second.page.locator("#edit-conflict")
        expect(conflict).to_be_visible()
        expect(conflict.locator(".conflict-theirs").first).to_contain_text(fullwidth("甲:产业集聚度高"))
        expect(conflict.locator(".conflict-mine").first).to_contain_text(fullwidth(typed))  # shown with Chinese punctuation
        expect(second.page.locator("textarea[name=plan_situation]")).to_have_value(typed)  # nothing lost
        second.shot("refused-with-both-texts")
        second.assert_accessible()
        assert Application.objects.get(pk=application.pk).plan_situation == "甲:产业集聚度高,龙头企业12家。"

        merged = "甲:产业集聚度高,龙头企业12家。乙:专利密集型产业产值占比逐年上升。"
        second.page.locator("textarea[name=plan_situation]").fill(merged)
        second.page.get_by_role("button", name="保存草稿").click()
        expect(second.page.get_by_text("已保存“建设方案”。")).to_be_visible()
        second.shot("merged-and-saved")
        saved = Application.objects.get(pk=application.pk)
        assert saved.plan_situation == merged
        assert saved.plan_goals == "乙:五年内建成国内领先的专利导航示范区。"
        assert not first.errors and not second.errors
    finally:
        first.close()
        second.close()
