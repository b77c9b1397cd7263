"""Two people editing the same shared data at once (optimistic concurrency, workflow/editing.py).

Each person loads the page in their own session and posts what a browser would post from it (the form
scraped from the page, the version it carries included). The first save goes through; the second is
refused with both texts on the page and nothing of either lost; saving again after merging goes
through, and fields the second person did not touch never overwrite the first person's.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from accounts.models import Organisation
from applications.enums import ApplicationState as S
from applications.models import PlanYear
from review.experts.services import ensure_rubric
from review.models import Criterion, FormalReview, PanelMembership
from tests.factories import complete_application, open_call
from tests.pipeline_support import application_in


class FormScraper(HTMLParser):
    """The fields a browser would post from one form of a page (by id, or the first with a method)."""

    def __init__(self, form_id=None, action=None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.action = form_id, action
        self.inside = False
        self.data = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("id") == self.form_id) if self.form_id else (a.get("action") == self.action)
            return
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "file", "button"):
                self.data.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]
        elif tag == "select":
            self._select = [a.get("name"), None]
        elif tag == "option" and self._select is not None:
            if "selected" in a or self._select[1] is None:  # the selected option, else the first
                self._select[1] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea[1]
            self.data.append((self._textarea[0], text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.data.append((self._select[0], self._select[1] or ""))
            self._select = None


def form_data(page, form_id=None, action=None) -> dict:
    scraper = FormScraper(form_id, action)
    scraper.feed(page)
    data = {}
    for name, value in scraper.data:
        data.setdefault(name, []).append(value)
    return data


def session(user):
    client = Client()
    client.force_login(user)
    return client


def loaded(client, url, **kw):
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode(), **kw)


# ---- a section of the draft -----------------------------------------------------------------------

@pytest.mark.django_db
def test_second_save_of_a_section_is_refused_with_both_texts_and_nothing_lost(applicant, make_user):
    application = complete_application(applicant)
    colleague = make_user(Role.APPLICANT, applicant.organisation)
    url = reverse("applications:section", args=[application.pk, "plan"])
    first, second = session(applicant), session(colleague)
    mine_first, mine_second = loaded(first, url, form_id="section-form"), loaded(second, url, form_id="section-form")

    mine_first["plan_situation"] = ["第一位同事写的产业现状。"]
    mine_first["plan_goals"] = ["第一位同事写的建设目标。"]
    assert first.post(url, mine_first).status_code == 302

    mine_second["plan_situation"] = ["第二位同事写的产业现状。"]
    refused = second.post(url, mine_second)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "第一位同事写的产业现状。" in page and "第二位同事写的产业现状。" in page
    assert "第一位同事写的建设目标。" in page
    application.refresh_from_db()
    assert application.plan_situation == "第一位同事写的产业现状。"  # nothing of the first lost
    assert application.plan_goals == "第一位同事写的建设目标。"

    # The refused page keeps what the second typed, takes the first's goals (untouched by the second)
    # and carries the new version: saving it again goes through without undoing the first's goals.
    again = form_data(page, form_id="section-form")
    assert again["plan_situation"] == ["第二位同事写的产业现状。"]
    assert again["plan_goals"] == ["第一位同事写的建设目标。"]
    again["plan_situation"] = ["两人合并后的产业现状。"]
    assert second.post(url, again).status_code == 302
    application.refresh_from_db()
    assert application.plan_situation == "两人合并后的产业现状。"
    assert application.plan_goals == "第一位同事写的建设目标。"


@pytest.mark.django_db
def test_fields_a_person_did_not_change_never_overwrite_after_a_merge(applicant, make_user):
    """A second save from a page loaded before the first save: refused even where the two touched
    different fields, and the merged page writes only what the second person changed."""
    application = complete_application(applicant)
    colleague = make_user(Role.APPLICANT, applicant.organisation)
    url = reverse("applications:section", args=[application.pk, "zone"])
    first, second = session(applicant), session(colleague)
    a, b = loaded(first, url, form_id="section-form"), loaded(second, url, form_id="section-form")
    a["zone_scope"] = ["第一位同事改的范围。"]
    assert first.post(url, a).status_code == 302
    b["host_park"] = ["第二位同事改的园区"]
    refused = second.post(url, b)
    assert refused.status_code == 409
    assert second.post(url, form_data(refused.content.decode(), form_id="section-form")).status_code == 302
    application.refresh_from_db()
    assert application.zone_scope == "第一位同事改的范围。" and application.host_park == "第二位同事改的园区"


@pytest.mark.django_db
def test_a_formset_row_saved_by_another_is_not_overwritten(applicant, make_user):
    application = complete_application(applicant)
    colleague = make_user(Role.APPLICANT, applicant.organisation)
    url = reverse("applications:section", args=[application.pk, "plan_years"])
    first, second = session(applicant), session(colleague)
    a, b = loaded(first, url, form_id="section-form"), loaded(second, url, form_id="section-form")
    year = PlanYear.objects.filter(application=application).order_by("year").first()
    index = next(i for i in range(10) if a.get(f"planyear-{i}-id") == [str(year.pk)])
    a[f"planyear-{index}-milestones"] = ["第一位同事的年度安排"]
    assert first.post(url, a).status_code == 302

    b[f"planyear-{index}-milestones"] = ["第二位同事的年度安排"]
    refused = second.post(url, b)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "第一位同事的年度安排" in page and "第二位同事的年度安排" in page
    year.refresh_from_db()
    assert year.milestones == "第一位同事的年度安排"
    again = form_data(page, form_id="section-form")
    assert again[f"planyear-{index}-milestones"] == ["第二位同事的年度安排"]
    assert second.post(url, again).status_code == 302
    year.refresh_from_db()
    assert year.milestones == "第二位同事的年度安排"


@pytest.mark.django_db
def test_a_save_without_a_competing_change_goes_through_and_writes_only_what_changed(applicant):
    application = complete_application(applicant)
    client = session(applicant)
    url = reverse("applications:section", args=[application.pk, "plan"])
    data = loaded(client, url, form_id="section-form")
    # Meanwhile a field of another section changes (e.g. in another tab): not a conflict here.
    type(application).objects.filter(pk=application.pk).update(zone_name="另一个标签页改的名称")
    data["plan_path"] = ["新的发展路径。"]
    assert client.post(url, data).status_code == 302
    application.refresh_from_db()
    assert application.plan_path == "新的发展路径。" and application.zone_name == "另一个标签页改的名称"


# ---- the national formal review --------------------------------------------------------------------


@pytest.mark.django_db
def test_second_formal_review_save_is_refused_with_both_notes(applicant, national, make_user, actors, make_expert):
    application = application_in(S.NATIONAL_REVIEW, applicant, actors, make_expert)
    colleague = make_user(Role.NATIONAL, Organisation.objects.get(kind="national"))
    url = reverse("review:formal_review", args=[application.pk])
    first, second = session(national), session(colleague)
    a, b = loaded(first, url, form_id="formal-review-form"), loaded(second, url, form_id="formal-review-form")
    a["notes"] = ["第一位审核人的记录"]
    a["materials_complete"] = ["on"]
    assert first.post(url, a).status_code == 302
    b["notes"] = ["第二位审核人的记录"]
    refused = second.post(url, b)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "第一位审核人的记录" in page and "第二位审核人的记录" in page
    review = FormalReview.objects.get(application=application)
    assert review.notes == "第一位审核人的记录" and review.checklist["materials_complete"] is True
    again = form_data(page, form_id="formal-review-form")
    assert again.get("materials_complete") == ["on"]  # the first's tick, untouched by the second, stays
    assert second.post(url, again).status_code == 302
    review.refresh_from_db()
    assert review.notes == "第二位审核人的记录" and review.checklist["materials_complete"] is True


# ---- the rubric and the panel ------------------------------------------------------------------------

@pytest.mark.django_db
def test_second_rubric_save_is_refused_with_both_values(national, make_user):
    call = open_call()
    ensure_rubric(call)
    colleague = make_user(Role.NATIONAL, Organisation.objects.get(kind="national"))
    url = reverse("experts:rubric", args=[call.pk])
    first, second = session(national), session(colleague)
    a, b = loaded(first, url, form_id="rubric-form"), loaded(second, url, form_id="rubric-form")
    a["form-0-description"] = ["第一位的说明"]
    assert first.post(url, a).status_code == 302
    b["form-0-description"] = ["第二位的说明"]
    refused = second.post(url, b)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "第一位的说明" in page and "第二位的说明" in page
    criterion = Criterion.objects.get(pk=int(a["form-0-id"][0]))
    assert criterion.description == "第一位的说明"
    assert second.post(url, form_data(page, form_id="rubric-form")).status_code == 302
    criterion.refresh_from_db()
    assert criterion.description == "第二位的说明"


@pytest.mark.django_db
def test_panel_changes_of_another_are_kept(national, make_user, make_expert):
    call = open_call()
    e1, e2, e3 = make_expert(institution="甲大学"), make_expert(institution="乙大学"), make_expert(institution="丙大学")
    PanelMembership.objects.create(call=call, expert=e1)
    colleague = make_user(Role.NATIONAL, Organisation.objects.get(kind="national"))
    url = reverse("experts:panel", args=[call.pk])
    first, second = session(national), session(colleague)
    a, b = loaded(first, url, form_id="panel-form"), loaded(second, url, form_id="panel-form")
    a["experts"] = [str(e1.pk), str(e2.pk)]
    assert first.post(url, a).status_code == 302
    b["experts"] = [str(e1.pk), str(e3.pk)]
    refused = second.post(url, b)
    assert refused.status_code == 409
    assert set(PanelMembership.objects.filter(call=call).values_list("expert_id", flat=True)) == {e1.pk, e2.pk}
    again = form_data(refused.content.decode(), form_id="panel-form")
    assert set(again["experts"]) == {str(e1.pk), str(e2.pk), str(e3.pk)}  # theirs and mine, merged
    assert second.post(url, again).status_code == 302
    assert set(PanelMembership.objects.filter(call=call).values_list("expert_id", flat=True)) == {e1.pk, e2.pk, e3.pk}
