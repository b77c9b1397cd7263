"""The 审计管理员's pages: only that role reaches them; records are searched and filtered by event,
result, role, user, period, address and object; exports (CSV, Excel) follow the filters and are
themselves recorded."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from accounts.models import Organisation
from audit import exports
from audit.models import AuditRecord
from audit.services import REFUSED, record

pytestmark = pytest.mark.django_db

LIST = "/audit/records/"
EXPORT = "/audit/records/export/"


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDIT_ADMIN, Organisation.objects.get(kind="national"))


@pytest.fixture
def trail(applicant, national):
    """A few records of different kinds, from two users and two addresses."""
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.force_login(national)
    assert client.get(reverse("applications:workspace")).status_code == 403  # access.denied, refused
    record("file.download", actor=applicant, obj=applicant.organisation, details={"file": "evidence"})
    record("application.transition", actor=national, result=REFUSED, reason="材料审核清单尚未完成",
           details={"transition": "send_to_experts"})
    return AuditRecord.objects.order_by("sequence")


def test_urls_are_where_the_pages_say():
    assert reverse("audit:records") == LIST and reverse("audit:export") == EXPORT


def test_only_the_audit_administrator_reaches_the_audit_trail(client, auditor, make_user, applicant, provincial,
                                                              national, expert):
    national_office = Organisation.objects.get(kind="national")
    others = [applicant, provincial, national, expert, make_user(Role.ADMIN, national_office, is_staff=True),
              make_user(Role.SECURITY_ADMIN, national_office)]
    for url in (LIST, EXPORT + "?format=csv", EXPORT + "?format=xlsx"):
        for user in others:
            client.force_login(user)
            assert client.get(url).status_code == 403, (user.role, url)
        client.logout()
        assert client.get(url).status_code == 302
        client.force_login(auditor)
        assert client.get(url).status_code == 200
    # The auditor's home is the audit trail.
    client.force_login(auditor)
    assert client.get("/").url == LIST
    # Every refusal above is itself in the trail.
    assert AuditRecord.objects.filter(action="access.denied").count() == 3 * len(others)


def test_the_list_shows_every_field_and_filters_combine(client, auditor, trail, national, applicant):
    client.force_login(auditor)
    page = client.get(LIST).content.decode()
    for r in trail:
        assert r.action in page
    assert "10.1.2.3" in page and "拒绝访问" in page and national.username in page
    assert "国家局工作人员" in page  # the role, by name

    def shown(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return {r.pk for r in response.context["records"]}

    denied = trail.get(action="access.denied")
    assert shown(action="access.denied") == {denied.pk}
    assert shown(result="refused") >= {denied.pk, trail.get(action="application.transition").pk}
    assert trail.get(action="file.download").pk not in shown(result="refused")
    assert shown(actor=applicant.username) == {trail.get(action="file.download").pk}
    assert shown(actor_role=Role.NATIONAL) == {denied.pk, trail.get(action="application.transition").pk}
    assert shown(client_address="10.1.") >= {denied.pk}
    assert shown(q="清单尚未") == {trail.get(action="application.transition").pk}
    assert shown(q="send_to_experts") == {trail.get(action="application.transition").pk}  # in the details
    org = applicant.organisation
    assert shown(object_type="accounts.organisation", object_id=str(org.pk)) == {trail.get(action="file.download").pk}
    today = timezone.localdate()
    assert shown(date_from=today.isoformat(), date_to=today.isoformat()) >= {r.pk for r in trail}
    assert shown(date_to=(today - timedelta(days=1)).isoformat()) == set()


def test_a_wrong_period_is_refused_at_its_field_with_what_was_typed_kept(client, auditor, trail):
    client.force_login(auditor)
    today = timezone.localdate()
    response = client.get(LIST, {"date_from": today.isoformat(), "date_to": (today - timedelta(days=3)).isoformat(),
                                 "q": "保留的文字"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["date_to"] == ["结束日期不能早于开始日期。"]
    page = response.content.decode()
    assert "结束日期不能早于开始日期" in page and "保留的文字" in page
    assert client.get(LIST, {"date_from": "not-a-date"}).status_code == 200
    assert client.get(LIST, {"page": "9999"}).status_code == 404


def test_pages_keep_the_filters(client, auditor):
    for i in range(55):
        record("test.paging", reason=str(i))
    client.force_login(auditor)
    first = client.get(LIST, {"action": "test.paging"})
    assert first.context["paginator"].count == 55
    assert "action=test.paging&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"action": "test.paging", "page": "2"})
    assert len(second.context["records"]) == 5


def test_exports_follow_the_filters_and_are_recorded(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(EXPORT, {"format": "csv", "result": "refused"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-records-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "时间", "用户名"]
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(trail.filter(result="refused").values_list("sequence",
                                                                                                   flat=True))
    export = AuditRecord.objects.get(action="audit.export")
    assert export.actor == auditor and export.details == {"format": "csv", "count": len(rows) - 1,
                                                          "filters": {"result": "refused"}}
    response = client.get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    sequences = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert sequences == sorted(AuditRecord.objects.exclude(pk__gt=export.pk).values_list("sequence", flat=True))
    assert AuditRecord.objects.filter(action="audit.export").count() == 2


def test_an_oversized_excel_export_is_refused_with_a_message(client, auditor, trail, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    client.force_login(auditor)
    response = client.get(EXPORT, {"format": "xlsx", "q": ""}, follow=True)
    assert response.redirect_chain[-1][0].startswith(LIST)
    assert "超过 Excel 导出上限 2 条" in response.content.decode()
    assert not AuditRecord.objects.filter(action="audit.export").exists()
    # An invalid filter is not exported either.
    response = client.get(EXPORT, {"format": "csv", "date_from": "2026-05-02", "date_to": "2026-05-01"}, follow=True)
    assert "筛选条件有误" in response.content.decode()
