"""The zones table (/zones/) in pages of 50: rows built for the page shown, the distribution of every
filtered zone, the filters kept in the page links, no 500 for a page that is not there, and the same
number of queries whatever the number of zones."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.enums import OrganisationKind, Region
from accounts.models import Organisation, Province
from applications.enums import ApplicationState
from applications.models import Application
from tests.factories import open_call
from zones import queries, schedule
from zones.enums import IndicatorState, ReportState
from zones.models import IndicatorSet, QuarterlyReport, Zone, ZoneTarget

pytestmark = pytest.mark.django_db

INDEX = reverse("zones:index")
PER_PAGE = 50  # as the portal's other queues


def make_zones(n, province, start=0):
    """n zones in `province` as bench/zones_fixture.py builds them (bulk inserts, not the 批复 pipeline):
    each on its own city's approved application, started 0–4 years ago, with its targets, every
    quarter's report (the past ones submitted except every fifth, left overdue) and its indicator
    sets (the past years' confirmed)."""
    today = timezone.localdate()
    call = open_call(title="分页测试批次")
    bureau = Organisation.objects.get(kind=OrganisationKind.PROVINCIAL_BUREAU, province=province)
    zones = []
    for i in range(start, start + n):
        city = Organisation.objects.create(kind=OrganisationKind.APPLICANT, name=f"{province.name}测试市{i:03d}",
                                           province=province, level="prefecture", city=f"测试市{i:03d}",
                                           parent=bureau)
        application = Application.objects.create(call=call, applicant=city, province=province, city=city.city,
                                                 state=ApplicationState.APPROVED, zone_name=f"测试市{i:03d}实验区")
        begin = today - timedelta(days=(i % 5) * 365 + 40)
        zones.append(Zone(application=application, name=application.zone_name, applicant=city, province=province,
                          city=city.city, industry="生物医药" if i % 2 else "新材料", start_on=begin,
                          end_on=schedule.period_end(begin)))
    zones = Zone.objects.bulk_create(zones)
    targets, sets, reports = [], [], []
    for z in zones:
        for k in range(schedule.PERIOD_YEARS):
            year = z.start_on.year + k
            targets.append(ZoneTarget(zone=z, year=year, output_target=Decimal(500 + 100 * k),
                                      patented_sales_target=Decimal(425 + 85 * k), rd_target=Decimal(30 + 6 * k),
                                      patents_target=16000 + 1500 * k))
            past = year < today.year
            figures = {"gross_output": Decimal(480 + 110 * k), "patented_sales": Decimal(400 + 96 * k),
                       "rd_spending": Decimal(24 + 7 * k), "industry_patents": 15000 + 1700 * k} if past else {}
            sets.append(IndicatorSet(zone=z, year=year, due_on=schedule.indicator_due(year),
                                     state=IndicatorState.CONFIRMED if past else IndicatorState.DRAFT, **figures))
        for j, q in enumerate(schedule.quarters(z.start_on, z.end_on)):
            done = q.due_on < today and j % 5
            reports.append(QuarterlyReport(zone=z, year=q.year, quarter=q.quarter, period_start=q.period_start,
                                           period_end=q.period_end, due_on=q.due_on,
                                           state=ReportState.SUBMITTED if done else ReportState.DRAFT,
                                           current_version=1 if done else 0))
    ZoneTarget.objects.bulk_create(targets)
    IndicatorSet.objects.bulk_create(sets)
    QuarterlyReport.objects.bulk_create(reports)
    return zones


@pytest.fixture
def provinces(db):
    """Three provinces of three regions."""
    return {code: Province.objects.get(code=code) for code in ("320000", "440000", "510000")}


def _shown(response):
    return [row.zone.pk for row in response.context["rows"]]


def _expected_distribution(zones):
    """What the distribution should say of these zones, counted here from the zones themselves."""
    by_province = Counter(z.province for z in zones)
    by_region = Counter(z.province.region for z in zones)
    return ([(p.pk, n) for p, n in sorted(by_province.items(), key=lambda item: item[0].code)],
            [(str(label), by_region.get(value, 0)) for value, label in Region.choices])


def _distribution(response):
    d = response.context["distribution"]
    return [(p.pk, n) for p, n in d["provinces"]], [(str(label), n) for label, n in d["regions"]]


def test_the_table_comes_in_pages_of_fifty_and_the_distribution_counts_every_zone(client, national, provinces):
    made = [*make_zones(30, provinces["320000"]), *make_zones(17, provinces["440000"], start=100),
            *make_zones(8, provinces["510000"], start=200)]
    ordered = [z.pk for z in sorted(made, key=lambda z: (z.province.code, z.name))]
    expected = _expected_distribution(made)
    client.force_login(national)
    first, second = client.get(INDEX), client.get(INDEX, {"page": 2})
    assert first.status_code == second.status_code == 200
    assert _shown(first) == ordered[:PER_PAGE] and _shown(second) == ordered[PER_PAGE:]
    for response in (first, second):
        html = response.content.decode()
        # The rows written are the page's (the body's links to zones), the count and the distribution all of them.
        assert html.count('<tr><th scope="row" class="fw-normal"><a href="/zones/') == len(_shown(response))
        assert f"共 {len(made)} 个实验区" in html
        assert _distribution(response) == expected
    assert 'href="?page=2"' in first.content.decode() and 'href="?page=1"' in second.content.decode()


def test_rows_are_built_for_the_page_only(national, provinces):
    make_zones(PER_PAGE + 4, provinces["320000"])
    table = queries.zone_table_page(national, queries.zones_for(national), 2)
    assert [r.zone.pk for r in table.rows] == [z.pk for z in table.page.object_list]
    assert len(table.rows) == 4 and table.page.paginator.count == PER_PAGE + 4
    # The other callers' table is still every zone, in the same order.
    assert [r.zone.pk for r in queries.zone_table(national)][PER_PAGE:] == [r.zone.pk for r in table.rows]


def test_the_filters_carry_over_to_the_page_links_and_the_distribution(client, national, provinces):
    jiangsu = make_zones(PER_PAGE + 6, provinces["320000"])
    make_zones(5, provinces["440000"], start=100)
    wanted = [z for z in jiangsu if z.industry == "新材料"]
    client.force_login(national)
    filters = {"province": provinces["320000"].pk}
    first = client.get(INDEX, filters)
    html = first.content.decode()
    assert f'href="?province={provinces["320000"].pk}&amp;page=2"' in html
    second = client.get(INDEX, {**filters, "page": 2})
    assert set(_shown(first) + _shown(second)) == {z.pk for z in jiangsu}
    assert f'href="?province={provinces["320000"].pk}&amp;page=1"' in second.content.decode()
    assert _distribution(second)[0] == [(provinces["320000"].pk, len(jiangsu))]
    # Fewer than a page: no page links, the distribution of the filtered zones only.
    one = client.get(INDEX, {**filters, "industry": "新材料"})
    assert sorted(_shown(one)) == sorted(z.pk for z in wanted) and "page=2" not in one.content.decode()
    assert _distribution(one)[0] == [(provinces["320000"].pk, len(wanted))]


@pytest.mark.parametrize("page", ["abc", "999", "0", "-1", "2.5", "last-but-one"])
def test_a_page_that_is_not_there_is_not_found(client, national, provinces, page):
    make_zones(PER_PAGE + 1, provinces["320000"])
    client.force_login(national)
    assert client.get(INDEX, {"page": page}).status_code == 404


def test_an_empty_page_parameter_or_an_invalid_filter_is_the_first_page(client, national, provinces):
    made = make_zones(3, provinces["320000"])
    client.force_login(national)
    response = client.get(INDEX, {"page": ""})
    assert response.status_code == 200 and len(_shown(response)) == len(made)
    # An unknown state: the filter's error and no rows, whatever the page asked.
    bad = client.get(INDEX, {"state": "nonsense", "page": "7"})
    assert bad.status_code == 200 and bad.context["rows"] == []


def test_a_province_pages_its_own_zones(client, provincial, provinces):
    own = make_zones(PER_PAGE + 2, provinces["320000"])
    make_zones(4, provinces["440000"], start=100)
    client.force_login(provincial)
    pages = [client.get(INDEX, {"page": n}) for n in (1, 2)]
    assert sorted(_shown(pages[0]) + _shown(pages[1])) == sorted(z.pk for z in own)
    assert _distribution(pages[1])[0] == [(provinces["320000"].pk, len(own))]


@override_settings(PAGE_CACHE_SECONDS=0)
def _count(client, url):
    # Once unmeasured: what the cache keeps is read again after the rows it describes changed.
    # Rendered each time (pagecache off): the count is the page's own, not a cached page's (test_pagecache).
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["national", "provincial"])
def test_a_page_costs_the_same_queries_with_3_or_60_zones(client, provinces, role, request):
    user = request.getfixturevalue(role)
    make_zones(3, provinces["320000"])
    client.force_login(user)
    few = _count(client, INDEX)
    make_zones(57, provinces["320000"], start=100)
    assert Zone.objects.count() == 60
    assert _count(client, INDEX) == few
    assert _count(client, f"{INDEX}?page=2") == few

