"""Guide 四(一): every condition at, just below and just above its boundary, exact Decimals."""

from decimal import Decimal

import pytest

from applications import eligibility as E
from applications.enums import EvidenceKind
from tests.factories import complete_application


def passing_data(**overrides):
    data = {
        "applicant_level": "prefecture", "gross_output": Decimal("30.00"), "resident_enterprises": 40,
        "patents_per_10k": Decimal("10.0"), "service_agency_staff": 5, "service_agency_name": "服务中心",
        "service_agency_head": "李华", "management_agency_name": "促进中心", "industry_name": "集成电路",
        "zone_scope": "四至边界", "has_boundary_map": True, "policy_count": 1, "is_demo_park": True,
        "demo_park_justification": "", "has_association": False, "association_name": "",
        "has_cooperation_agreement": False,
    }
    data.update(overrides)
    return data


def result(code, **overrides):
    return next(r for r in E.evaluate(passing_data(**overrides)) if r.code == code)


def test_the_passing_baseline_passes_everything():
    results = E.evaluate(passing_data())
    assert [r.code for r in E.blocking(results)] == []
    assert {r.code for r in results} == {
        "applicant_level", "gross_output", "resident_enterprises", "patents_per_10k", "management_agency",
        "service_agency", "bounded_scope", "local_policy", "demo_park", "association_agreement"}


@pytest.mark.parametrize(("value", "status"), [
    (Decimal("30.00"), E.PASS), (Decimal("30"), E.PASS), ("30.00", E.PASS), (Decimal("29.99"), E.FAIL),
    ("29.99", E.FAIL), (Decimal("29.999999999"), E.FAIL), (Decimal("30.01"), E.PASS), (30, E.PASS),
    (29.99, E.FAIL), (None, E.FAIL), ("", E.FAIL), ("abc", E.FAIL), ("NaN", E.FAIL), (True, E.FAIL),
])
def test_gross_output_boundary(value, status):
    r = result("gross_output", gross_output=value)
    assert (r.status, r.kind, r.threshold) == (status, E.HARD, Decimal("30"))


@pytest.mark.parametrize(("value", "status"), [
    (40, E.PASS), (39, E.FAIL), (41, E.PASS), ("40", E.PASS), ("39", E.FAIL), (Decimal("40.0"), E.PASS),
    (Decimal("39.9"), E.FAIL), (Decimal("40.5"), E.FAIL), (None, E.FAIL), ("四十", E.FAIL),
])
def test_resident_enterprises_boundary(value, status):
    r = result("resident_enterprises", resident_enterprises=value)
    assert (r.status, r.kind, r.threshold) == (status, E.HARD, 40)


@pytest.mark.parametrize(("value", "status"), [
    (Decimal("10.0"), E.PASS), (Decimal("10"), E.PASS), (Decimal("9.99"), E.FAIL), (Decimal("10.01"), E.PASS),
    ("9.99", E.FAIL), (None, E.FAIL),
])
def test_patents_per_10k_boundary(value, status):
    assert result("patents_per_10k", patents_per_10k=value).status == status


@pytest.mark.parametrize(("staff", "status"), [(5, E.PASS), (4, E.FAIL), (6, E.PASS), (None, E.FAIL), (0, E.FAIL)])
def test_service_agency_staff_boundary(staff, status):
    assert result("service_agency", service_agency_staff=staff).status == status


@pytest.mark.parametrize(("overrides", "status"), [
    ({}, E.PASS), ({"service_agency_head": ""}, E.FAIL), ({"service_agency_name": "  "}, E.FAIL),
])
def test_service_agency_needs_a_named_head(overrides, status):
    assert result("service_agency", **overrides).status == status


@pytest.mark.parametrize(("overrides", "status"), [
    ({}, E.PASS), ({"management_agency_name": ""}, E.FAIL), ({"industry_name": ""}, E.FAIL),
])
def test_management_agency(overrides, status):
    assert result("management_agency", **overrides).status == status


@pytest.mark.parametrize(("overrides", "status"), [
    ({}, E.PASS), ({"zone_scope": ""}, E.FAIL), ({"has_boundary_map": False}, E.FAIL),
])
def test_bounded_scope_needs_description_and_map(overrides, status):
    assert result("bounded_scope", **overrides).status == status


@pytest.mark.parametrize(("count", "status"), [(1, E.PASS), (0, E.FAIL), (2, E.PASS), (None, E.FAIL)])
def test_local_policy_at_least_one(count, status):
    assert result("local_policy", policy_count=count).status == status


@pytest.mark.parametrize("level", ["prefecture", "sub_provincial", "municipality", "park_committee"])
def test_applicant_levels_accepted(level):
    assert result("applicant_level", applicant_level=level).status == E.PASS


@pytest.mark.parametrize("level", ["", "county", None])
def test_applicant_levels_refused(level):
    assert result("applicant_level", applicant_level=level).status == E.FAIL


def test_not_a_demo_park_needs_justification_not_refusal():
    unjustified = result("demo_park", is_demo_park=False)
    assert (unjustified.kind, unjustified.status, unjustified.blocks_submission) == (E.SOFT, E.JUSTIFY, True)
    justified = result("demo_park", is_demo_park=False, demo_park_justification="园区正在申报示范园区。")
    assert (justified.status, justified.justified, justified.blocks_submission) == (E.JUSTIFY, True, False)
    assert result("demo_park", is_demo_park=None).blocks_submission
    assert not result("demo_park", is_demo_park=True).blocks_submission


def test_association_agreement_is_conditional():
    assert result("association_agreement").status == E.NOT_APPLICABLE
    missing = result("association_agreement", has_association=True, association_name="协会")
    assert (missing.kind, missing.status) == (E.CONDITIONAL, E.FAIL)
    assert result("association_agreement", has_association=True, association_name="协会",
                  has_cooperation_agreement=True).status == E.PASS
    assert result("association_agreement", has_association=True, association_name="",
                  has_cooperation_agreement=True).status == E.FAIL


def test_every_result_has_both_languages():
    for r in E.evaluate(passing_data(gross_output=Decimal("1"))):
        record = r.as_dict()
        assert record["message_zh-hans"] and record["message_en"] and record["title_zh-hans"]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "at", "below"), [
    ("gross_output", Decimal("30.00"), Decimal("29.99")),
    ("resident_enterprises", 40, 39),
    ("patents_per_10k", Decimal("10.00"), Decimal("9.99")),
    ("service_agency_staff", 5, 4),
])
def test_saved_application_boundaries_round_trip_through_the_database(applicant, field, at, below):
    application = complete_application(applicant)
    for value, blocked in ((at, False), (below, True)):
        setattr(application, field, value)
        application.save()
        application.refresh_from_db()
        codes = {r.code for r in E.blocking(E.evaluate_application(application))}
        assert (field.replace("service_agency_staff", "service_agency") in codes) is blocked


@pytest.mark.django_db
def test_withdrawn_boundary_map_no_longer_counts(applicant):
    application = complete_application(applicant)
    assert E.data_from_application(application)["has_boundary_map"]
    application.evidence.filter(kind=EvidenceKind.BOUNDARY_MAP).update(withdrawn_at="2026-01-01T00:00:00Z")
    assert not E.data_from_application(application)["has_boundary_map"]
