"""What the pages keep in the cache never reaches someone who may not see it.

The application page renders a submitted version's content once per version and language
(applications.presentation.version_fragments) and serves it to every reviewer who may see the
application; the owner's page always shows the live data. These tests fill the cache as one user and
ask as others: another province, another applicant, the owner after editing."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.enums import Role
from applications.enums import ApplicationState as S
from applications.models import Application
from tests.factories import complete_application
from tests.pipeline_support import walk_to


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _application(applicant, actors, make_expert, state, goals):
    """An application whose 五年建设目标 says `goals`, walked to `state`."""
    application = complete_application(applicant)
    Application.objects.filter(pk=application.pk).update(plan_goals=goals)
    application.refresh_from_db()
    return walk_to(application, state, actors, make_expert)


def _page(client, user, application):
    client.force_login(user)
    return client.get(reverse("applications:detail", args=[application.pk]))


@pytest.mark.django_db
def test_cached_content_never_crosses_provinces(client, applicant, foreign_applicant, provincial,
                                                foreign_provincial, national, make_expert):
    js = _application(applicant, {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national},
                      make_expert, S.SUBMITTED, "江苏目标-仅本省可见")
    gd = _application(foreign_applicant, {Role.APPLICANT: foreign_applicant, Role.PROVINCIAL: foreign_provincial,
                                          Role.NATIONAL: national}, make_expert, S.SUBMITTED, "广东目标-仅本省可见")

    # 江苏's reviewer fills the cache with 江苏's version.
    page = _page(client, provincial, js)
    assert page.status_code == 200 and "江苏目标-仅本省可见" in page.content.decode()
    version = js.versions.get(number=js.current_version)
    assert "江苏目标-仅本省可见" in cache.get(f"application-version-fragments:{version.pk}:zh-hans")["content"]

    # 广东's reviewer: 江苏's page does not exist for it, and its own page shows its own version only.
    page = _page(client, foreign_provincial, js)
    assert page.status_code == 404 and "江苏目标" not in page.content.decode()
    page = _page(client, foreign_provincial, gd)
    body = page.content.decode()
    assert page.status_code == 200 and "广东目标-仅本省可见" in body and "江苏目标" not in body

    # And back: 江苏's reviewer, with both versions cached, still sees only 江苏's.
    page = _page(client, provincial, gd)
    assert page.status_code == 404 and "广东目标" not in page.content.decode()
    body = _page(client, provincial, js).content.decode()
    assert "江苏目标-仅本省可见" in body and "广东目标" not in body


@pytest.mark.django_db
def test_cached_content_never_reaches_another_applicant_nor_hides_the_owners_edits(
        client, applicant, other_applicant, provincial, national, make_expert):
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    mine = _application(applicant, actors, make_expert, S.RETURNED, "第一版目标")
    theirs = _application(other_applicant, {**actors, Role.APPLICANT: other_applicant}, make_expert, S.SUBMITTED,
                          "他人的目标")

    # The province reads (and caches) both submitted versions.
    assert "第一版目标" in _page(client, provincial, mine).content.decode()
    assert "他人的目标" in _page(client, provincial, theirs).content.decode()

    # The other applicant never gets the first applicant's page, cached or not.
    page = _page(client, other_applicant, mine)
    assert page.status_code == 404 and "第一版目标" not in page.content.decode()

    # Returned to the applicant, who edits: the owner sees the live text, never the cached version;
    # the province still sees what was submitted.
    Application.objects.filter(pk=mine.pk).update(plan_goals="修改中的目标")
    body = _page(client, applicant, mine).content.decode()
    assert "修改中的目标" in body and "第一版目标" not in body and "他人的目标" not in body
    body = _page(client, provincial, mine).content.decode()
    assert "第一版目标" in body and "修改中的目标" not in body


@pytest.mark.django_db
def test_cached_content_follows_the_language(client, applicant, provincial, national, make_expert):
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    application = _application(applicant, actors, make_expert, S.SUBMITTED, "目标")
    chinese = _page(client, provincial, application).content.decode()
    assert "申报条件检查" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "申报条件检查" not in english and "Eligibility check" in english
