"""Who may see documents, staleness and the content hash, queue-only requests, failure reasons, and
WeasyPrint's fast font-subsetting path."""

import logging

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from weasyprint import HTML
from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

from documents import production, services, sources
from documents.enums import DocumentKind as K
from documents.models import Document
from portal.celery import app as celery_app
from review.models import ProvincialReview
from review.transitions import perform
from tests.documents_helpers import approved_application, recommended_application
from tests.factories import complete_application


def _render_now(kind, **subject):
    document = services.request_document(kind, **subject)
    return production.render(document.pk)


def test_weasyprint_uses_the_fast_harfbuzz_subsetter(caplog):
    """Without libharfbuzz-subset0 WeasyPrint falls back to fontTools, ~30x slower for CJK fonts."""
    assert harfbuzz_subset is not None, "install Debian's libharfbuzz-subset0 (scripts/setup.sh)"
    assert harfbuzz.hb_version_atleast(4, 1, 0), "HarfBuzz >= 4.1 is needed for the subset path"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = HTML(string='<p style="font-family: \'Noto Serif CJK SC\'">国家专利导航产业发展实验区</p>').write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]


@pytest.fixture
def documents_of_approved(applicant, provincial, national, make_expert):
    experts = [make_expert("110000", "甲大学"), make_expert("310000", "乙大学"), make_expert("330000", "丙研究院")]
    app = approved_application(applicant, provincial, national, experts)
    docs = [_render_now(kind, application=app) for kind in (K.APPLICATION_FORM, K.COMMITMENT, K.PROVINCIAL_OPINION,
                                                            K.APPROVAL)]
    docs.append(_render_now(K.SCORE_SUMMARY, call=app.call))
    assert all(d.status == "ready" for d in docs), [(d.kind, d.error) for d in docs]
    return app, docs


@pytest.mark.django_db
def test_other_province_and_outsiders_get_404_on_every_document_url(client, documents_of_approved, foreign_applicant,
                                                                    foreign_provincial, other_applicant, make_expert,
                                                                    applicant, provincial, national):
    app, docs = documents_of_approved
    summary = docs[-1]
    app_urls = [("get", reverse("documents:list", args=[app.pk]))]
    app_urls += [("post", reverse("documents:request", args=[app.pk, kind])) for kind in sources.APPLICATION_KINDS]
    for d in docs[:-1]:
        app_urls += [("get", reverse("documents:status", args=[d.pk])), ("get", reverse("documents:download", args=[d.pk]))]
    summary_urls = [("get", reverse("documents:score_summary", args=[app.call_id])),
                    ("post", reverse("documents:request_score_summary", args=[app.call_id])),
                    ("get", reverse("documents:status", args=[summary.pk])),
                    ("get", reverse("documents:download", args=[summary.pk]))]
    outsider_expert = make_expert("500000", "丁大学")
    for user in (foreign_applicant, foreign_provincial, other_applicant, outsider_expert):
        client.force_login(user)
        for method, url in app_urls + summary_urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)
    # The score summary (each criterion per expert) is for national staff only.
    for user in (applicant, provincial):
        client.force_login(user)
        for method, url in summary_urls:
            assert getattr(client, method)(url).status_code == 404, (user, url)
    for user in (applicant, provincial, national):
        client.force_login(user)
        assert client.get(reverse("documents:download", args=[docs[0].pk])).status_code == 200
    client.force_login(national)
    assert client.get(reverse("documents:download", args=[summary.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("documents:download", args=[docs[0].pk])).status_code == 302


@pytest.mark.django_db
def test_changed_content_marks_stale_and_unchanged_content_is_not_rendered_again(applicant):
    app = complete_application(applicant)
    first = _render_now(K.DRAFT_COMMITMENT, application=app)
    assert first.status == "ready" and first.version == 1
    name = first.file.name

    # Asking again for unchanged content returns the same rendering.
    again = services.request_document(K.DRAFT_COMMITMENT, application=app)
    assert (again.pk, again.file.name, again.status) == (first.pk, name, "ready")

    # A change elsewhere in the application marks it stale, but the hash says nothing to re-render.
    app.contact_phone = "0512-00000000"
    app.save()
    first.refresh_from_db()
    assert first.stale
    same = services.request_document(K.DRAFT_COMMITMENT, application=app)
    assert same.pk == first.pk and not same.stale and Document.objects.filter(kind=K.DRAFT_COMMITMENT).count() == 1

    # A change to the letter's content: stale, and a new version is queued and rendered.
    app.lead_department = "苏州市市场监督管理局(知识产权局)"
    app.save()
    first.refresh_from_db()
    assert first.stale
    second = services.request_document(K.DRAFT_COMMITMENT, application=app)
    assert second.pk != first.pk and second.version == 2 and second.status == "queued"
    second = production.render(second.pk)
    assert second.status == "ready" and second.file.name != name
    assert default_storage.exists(name), "earlier renderings stay readable"


@pytest.mark.django_db
def test_a_new_review_or_version_marks_the_application_documents_stale(applicant, provincial):
    app = recommended_application(applicant, provincial)
    form = _render_now(K.APPLICATION_FORM, application=app)
    assert not form.stale
    ProvincialReview.objects.create(application=app, version=app.current_version, decision="recommend",
                                    opinion="补充意见。", reviewer=provincial)
    form.refresh_from_db()
    assert form.stale
    # The 申报书 is built from the submitted version, which did not change: nothing to render.
    assert services.request_document(K.APPLICATION_FORM, application=app).pk == form.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_only_queues_and_the_page_polls(client, applicant):
    application = complete_application(applicant)
    client.force_login(applicant)
    celery_app.conf.task_always_eager = False
    try:
        response = client.post(reverse("documents:request", args=[application.pk, K.DRAFT_COMMITMENT]))
    finally:
        celery_app.conf.task_always_eager = True
        celery_app.control.purge()
    assert response.status_code == 302
    document = Document.objects.get(application=application, kind=K.DRAFT_COMMITMENT)
    assert document.status == "queued" and not document.file
    page = client.get(reverse("documents:list", args=[application.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "排队中" in page and "<script" not in page.split("<main")[1]
    fragment = client.get(reverse("documents:status", args=[document.pk])).content.decode()
    assert f'hx-get="/documents/{document.pk}/status/"' in fragment
    production.render(document.pk)
    fragment = client.get(reverse("documents:status", args=[document.pk])).content.decode()
    assert "hx-trigger" not in fragment and "下载PDF" in fragment


@pytest.mark.django_db
def test_a_failed_rendering_shows_its_reason_and_can_be_asked_again(client, applicant):
    app = complete_application(applicant)
    perform(app, applicant, "submit", expected_state=app.state)
    evidence = app.evidence.filter(kind="boundary_map").first()
    default_storage.delete(evidence.file.name)
    document = _render_now(K.DOSSIER, application=app)
    assert document.status == "failed" and evidence.original_name in document.error
    client.force_login(applicant)
    fragment = client.get(reverse("documents:status", args=[document.pk])).content.decode()
    assert "生成失败" in fragment and evidence.original_name in fragment
    again = services.request_document(K.DOSSIER, application=app)
    assert again.pk == document.pk and again.status == "queued"


@pytest.mark.django_db
def test_documents_that_cannot_exist_yet_say_why(client, applicant):
    app = complete_application(applicant)
    client.force_login(applicant)
    response = client.post(reverse("documents:request", args=[app.pk, K.APPLICATION_FORM]), follow=True)
    assert "尚未报送" in response.content.decode()
    assert not Document.objects.exists()
    assert client.post(reverse("documents:request", args=[app.pk, "no_such_kind"])).status_code == 404
