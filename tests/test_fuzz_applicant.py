"""Bad input on the applicant's forms: every section, the three formsets, evidence and policy uploads,
the live eligibility panel, creating and submitting. Never a 500; a refused value comes back with a
message; whatever was saved is shown escaped."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from applications.enums import EvidenceKind, PolicyStatus
from applications.forms import MAX_POLICIES
from applications.models import Application
from applications.sections import SECTIONS
from tests.factories import application_for, complete_application, open_call
from tests.fuzz_support import (
    FUZZ,
    FUZZ_FEW,
    IMG,
    SCRIPT,
    any_value,
    assert_message,
    check_response,
    date_text,
    followed,
    hostile_text,
    number_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db

FIELD_SECTIONS = [s.key for s in SECTIONS if s.fields]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def section_url(application, key):
    return reverse("applications:section", args=[application.pk, key])


def _post_and_check(client, application, url, data, where, **kwargs):
    response = client.post(url, data, **kwargs)
    page = check_response(response, where=where)
    if response.status_code == 200 and "已保存" not in page:
        assert_message(page, where)
    if response.status_code in (302, 303):
        followed(client, response, where)
    return response


@pytest.mark.parametrize("key", FIELD_SECTIONS)
@FUZZ
@given(data=st.data())
def test_section_forms_take_any_value(client, applicant, key, data):
    application = application_for(applicant)
    client.force_login(applicant)
    section = next(s for s in SECTIONS if s.key == key)
    values = data.draw(st.fixed_dictionaries(dict.fromkeys(section.fields, any_value)), label="values")
    values["_section"] = key
    if data.draw(st.booleans(), label="save_next"):
        values["save_next"] = "1"
    with rolled_back():
        _post_and_check(client, application, section_url(application, key), values, f"section {key}")


@FUZZ_FEW
@given(values=st.fixed_dictionaries({name: any_value for s in SECTIONS for name in s.fields}),
       section=st.one_of(st.sampled_from(FIELD_SECTIONS + ["policies", "evidence"]), hostile_text))
def test_live_eligibility_panel_takes_any_value(client, applicant, values, section):
    application = application_for(applicant)
    client.force_login(applicant)
    response = client.post(reverse("applications:eligibility", args=[application.pk]), {**values, "_section": section})
    check_response(response, where="eligibility panel")


# Tampered management forms ("99999" is the policy formset's regression example).
management = st.sampled_from(["0", "1", "2", "5", "", "-1", "abc", "9" * 30])


def _row_values(prefix, index, fields):
    return st.fixed_dictionaries({f"{prefix}-{index}-{name}": strategy for name, strategy in fields.items()})


@FUZZ_FEW
@given(data=st.data())
# Regression: a tampered TOTAL_FORMS of "99999" built and rendered 2,000 forms (about 30 s); now refused.
@example(data=None)
def test_policy_formset_takes_any_value(client, applicant, data):
    application = application_for(applicant)
    client.force_login(applicant)
    if data is None:
        rows = {"policies-0-status": PolicyStatus.choices[0][0], "policies-0-title": SCRIPT,
                "policies-0-document_number": IMG, "policies-0-issued_on": "0001-01-01"}
        total, upload = "99999", None
    else:
        fields = {"status": st.one_of(st.sampled_from([c for c, _l in PolicyStatus.choices]), hostile_text),
                  "title": hostile_text, "document_number": hostile_text, "issued_on": date_text,
                  "id": st.one_of(st.just(""), number_text), "DELETE": st.sampled_from(["", "on", "x"])}
        rows = data.draw(_row_values("policies", 0, fields), label="row")
        total = data.draw(management, label="total")
        upload = data.draw(st.one_of(st.none(), st.tuples(hostile_text, st.sampled_from([PDF, PNG, b"MZ\x90", b""]))),
                           label="upload")
    payload = {"_section": "policies", "policies-TOTAL_FORMS": total, "policies-INITIAL_FORMS": "0",
               "policies-MIN_NUM_FORMS": "0", "policies-MAX_NUM_FORMS": "1000", **rows}
    if upload is not None:
        name, content = upload
        payload["policies-0-upload"] = SimpleUploadedFile((name or "f")[:200] + ".pdf", content)
    with rolled_back():
        response = _post_and_check(client, application, section_url(application, "policies"), payload,
                                   "policies formset")
        if total == "99999":
            titles = re.findall(r'name="policies-\d+-title"', response.content.decode())
            assert len(titles) <= MAX_POLICIES, "thousands of forms built"


@pytest.mark.parametrize("key", ["plan_years", "funding"])
@FUZZ_FEW
@given(data=st.data())
def test_year_formsets_take_any_value(client, applicant, key, data):
    application = application_for(applicant)
    client.force_login(applicant)
    if key == "plan_years":
        prefix = "planyear"
        fields = {"milestones": hostile_text, "output_target": number_text, "patented_sales_target": number_text,
                  "rd_target": number_text, "patents_target": number_text, "year": number_text}
    else:
        prefix = "fundingcommitment"
        fields = {"amount_wan": number_text, "year": number_text, "DELETE": st.sampled_from(["", "on"])}
    rows = {}
    for index in range(5):
        rows.update(data.draw(_row_values(prefix, index, fields), label=f"row {index}"))
    total = data.draw(st.one_of(st.just("5"), management), label="total")
    payload = {"_section": key, f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": "0",
               f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "5", **rows}
    with rolled_back():
        _post_and_check(client, application, section_url(application, key), payload, f"{key} formset")


upload_bytes = st.one_of(st.sampled_from([PDF, PNG, b"\xff\xd8\xff\xe0" + b"0" * 20, b"", b"%PDF", b"<script>"]),
                         st.binary(max_size=64), st.binary(max_size=64).map(lambda b: b"%PDF-" + b))


@FUZZ
@given(kind=st.one_of(st.sampled_from([c for c, _l in EvidenceKind.choices]), hostile_text),
       title=hostile_text, name=st.one_of(st.sampled_from([f"{SCRIPT}.pdf", f"{IMG}.png", "a" * 400 + ".pdf",
                                                            "‮fdp.exe", "证明.PDF", ".pdf"]), hostile_text),
       content=upload_bytes, with_file=st.booleans())
def test_evidence_upload_takes_any_value(client, applicant, kind, title, name, content, with_file):
    application = application_for(applicant)
    client.force_login(applicant)
    payload = {"kind": kind, "title": title}
    if with_file:
        payload["file"] = SimpleUploadedFile(name.replace("\x00", "") or "file", content)
    with rolled_back():
        response = client.post(section_url(application, "evidence"), payload)
        page = check_response(response, where="evidence upload")
        if response.status_code == 200:
            assert_message(page, "evidence upload")
        followed(client, response, "evidence upload")


@FUZZ_FEW
@given(action=st.one_of(st.just("withdraw"), hostile_text), evidence=st.one_of(number_text, hostile_text))
def test_evidence_withdraw_takes_any_value(client, applicant, action, evidence):
    application = application_for(applicant)
    client.force_login(applicant)
    with rolled_back():
        response = client.post(section_url(application, "evidence"), {"action": action, "evidence": evidence})
        check_response(response, where="evidence withdraw")


@FUZZ_FEW
@given(call=st.one_of(number_text, hostile_text))
def test_new_application_takes_any_value(client, applicant, call):
    open_call()
    client.force_login(applicant)
    with rolled_back():
        response = client.post(reverse("applications:new"), {"call": call})
        page = check_response(response, where="new application")
        if response.status_code == 200:
            assert_message(page, "new application")


@FUZZ_FEW
@given(expected=st.one_of(st.sampled_from(["draft", "submitted", "approved"]), hostile_text))
def test_submit_takes_any_expected_state(client, applicant, expected):
    application = complete_application(applicant)
    client.force_login(applicant)
    with rolled_back():
        response = client.post(reverse("review:submit", args=[application.pk]), {"expected_state": expected})
        page = check_response(response, where="submit")
        if response.status_code == 200:
            assert_message(page, "submit")
        followed(client, response, "submit")


def text_fields(section):
    """The section's free-text fields (where hostile markup can be saved as typed)."""
    meta = Application._meta
    return [name for name in section.fields if isinstance(meta.get_field(name), models.CharField | models.TextField)
            and not isinstance(meta.get_field(name), models.EmailField)]


def test_hostile_values_saved_in_every_text_field_are_shown_escaped(client, applicant):
    """The applicant's own pages show the hostile values as text."""
    application = application_for(applicant)
    client.force_login(applicant)
    for section in SECTIONS:
        names = text_fields(section)
        if not names:
            continue
        values = {name: (SCRIPT if i % 2 else IMG) for i, name in enumerate(names)}
        response = client.post(section_url(application, section.key), {**values, "_section": section.key})
        assert response.status_code == 302, section.key
    application.refresh_from_db()
    assert application.zone_name == IMG and application.plan_problems == SCRIPT
    for section in SECTIONS:
        page = check_response(client.get(section_url(application, section.key)), where=section.key)
        if text_fields(section):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&quot;&gt;&lt;img src=x" in page, section.key
    for url in (reverse("applications:detail", args=[application.pk]), reverse("applications:workspace"),
                reverse("review:submit", args=[application.pk])):
        page = check_response(client.get(url), where=url)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&quot;&gt;&lt;img src=x" in page, url
