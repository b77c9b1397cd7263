"""Load benchmark: 10,000 applications on PostgreSQL, served by gunicorn, loaded by 20 concurrent users.

    .venv/bin/python bench/load.py run            # build (once), serve, load, print the table
    .venv/bin/python bench/load.py build --force  # drop and rebuild the bench database

`run` builds the fixture in its own database (portal_bench) if it is not there yet, collects the
static files, starts gunicorn on 127.0.0.1 with DEBUG off, makes one logged-in session per virtual
user, then starts a second process (`drive`) that sends the requests: each page group in turn, 20
threads, bounded in time and in count. Beside every group it prints the same figures for
/bench/bare, a view that renders the same base template with no query (routed only by
bench.settings), so the ratio comes from one run on one machine. Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench"
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdef"
BENCH_MARK = "【基准测试】"  # prefix of the bench calls' titles: tells a built fixture
PASSWORD = "Bench-password-2024"

N_APPLICATIONS = 10_000
N_USERS = 2_000
N_CALLS = 8
N_ORGS = N_APPLICATIONS // N_CALLS  # one application per applicant per call
N_PROVINCIAL_PER_PROVINCE = 2
N_NATIONAL = 30
N_ADMIN = 6
N_EXPERTS = N_USERS - N_ORGS - 32 * N_PROVINCIAL_PER_PROVINCE - N_NATIONAL - N_ADMIN
BATCH = 2_000

INDUSTRIES = ["新一代信息技术", "高端装备制造", "生物医药", "新材料", "节能环保", "新能源汽车", "集成电路",
              "智能制造", "海洋工程装备", "现代农业装备", "轨道交通", "航空航天"]
OPINIONS = {
    "return_to_applicant": "建设方案的五年目标需量化,请补充年度分解。",
    "decline": "产业集聚度未达到申报条件,本年度不予推荐。",
    "recommend": "材料齐全,符合申报条件,同意推荐。",
    "return_to_province": "请省局核实工业总产值统计证明。",
    "reject": "证明材料不符合要求,材料审核未通过。",
    "approve": "经专家论证,同意批复为国家专利导航产业发展实验区。",
    "not_approve": "经专家论证,建设方案尚不成熟,本批次不予批复。",
}
# Target state → the transitions that lead there from draft (checked against the state table).
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "provincial_review": ["submit", "start_provincial_review"],
    "returned": ["submit", "start_provincial_review", "return_to_applicant"],
    "declined": ["submit", "start_provincial_review", "decline"],
    "recommended": ["submit", "start_provincial_review", "recommend"],
    "national_review": ["submit", "start_provincial_review", "recommend", "start_national_review"],
    "returned_to_province": ["submit", "start_provincial_review", "recommend", "start_national_review",
                             "return_to_province"],
    "rejected": ["submit", "start_provincial_review", "recommend", "start_national_review", "reject"],
    "expert_review": ["submit", "start_provincial_review", "recommend", "start_national_review", "send_to_experts"],
    "approved": ["submit", "start_provincial_review", "recommend", "start_national_review", "send_to_experts",
                 "approve"],
    "not_approved": ["submit", "start_provincial_review", "recommend", "start_national_review", "send_to_experts",
                     "not_approve"],
}
REVISION_CYCLE = ["submit", "start_provincial_review", "return_to_applicant", "resubmit"]
# Older calls are mostly decided; the open one has everything in flight.
WEIGHTS_CLOSED = {"draft": 8, "declined": 20, "returned": 6, "rejected": 10, "returned_to_province": 1,
                  "approved": 10, "not_approved": 12, "expert_review": 3, "recommended": 2, "submitted": 2,
                  "provincial_review": 2, "national_review": 2}
WEIGHTS_OPEN = {"draft": 25, "submitted": 14, "provincial_review": 14, "returned": 8, "declined": 4,
                "recommended": 10, "national_review": 7, "returned_to_province": 2, "rejected": 2,
                "expert_review": 10, "approved": 2, "not_approved": 2}


# ---------------------------------------------------------------------------------------------
# Environment


def server_env(database_url: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": database_url,
           "DEBUG": "0", "SECURE_HTTPS": "0", "SECRET_KEY": SECRET_KEY, "REDIS_URL": "", "BENCH_VIEWS": "1",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "ERROR"}
    return env


def setup_django(database_url: str, redis_url: str = ""):
    env = {**server_env(database_url), "REDIS_URL": redis_url}
    for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "SECURE_HTTPS", "SECRET_KEY", "REDIS_URL",
                "BENCH_VIEWS", "LOG_LEVEL"):
        os.environ[key] = env[key]
    import django

    django.setup()


def ensure_database(database_url: str, drop: bool = False):
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(database_url)
    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                            host=cfg["HOST"], port=cfg["PORT"] or 5432)
    conn.autocommit = True
    with conn.cursor() as cur:
        if drop:
            cur.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


# ---------------------------------------------------------------------------------------------
# The fixture


def _path_for(state: str, rng: random.Random) -> list[str]:
    path = list(PATHS[state])
    if len(path) > 1 and rng.random() < 0.2:
        path = REVISION_CYCLE + path[1:]
    return path


def _check_path(path: list[str]) -> str:
    """Walk the path through the real state table; return the final state or fail loudly."""
    from review.transitions import TRANSITIONS

    state = "draft"
    for name in path:
        transition = TRANSITIONS[name]
        assert state in transition.sources, (path, name, state)
        state = str(transition.target)
    return state


def build(database_url: str, force: bool = False, seed: int = 20130807):
    ensure_database(database_url, drop=force)
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from applications.models import Application, Call

    if Call.objects.filter(title__startswith=BENCH_MARK).exists():
        n = Application.objects.filter(call__title__startswith=BENCH_MARK).count()
        print(f"bench fixture already built ({n} applications); use `build --force` to rebuild")
        return
    started = time.monotonic()
    _build_rows(random.Random(seed))
    from bench import zones_fixture

    print(f"zones: {zones_fixture.build(random.Random(seed))} zones with five years of reports")
    # What autovacuum does to a live database after a while: statistics and the visibility map (so
    # that index-only scans, such as the national counts', are possible from the first run).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"built the fixture in {time.monotonic() - started:.0f} s")


def _build_rows(rng: random.Random):  # noqa: C901 - one linear script of bulk inserts
    from datetime import date, datetime, timedelta
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import OrganisationKind, Role
    from accounts.models import ExpertProfile, Organisation, Province, User
    from applications.enums import CallStatus
    from applications.models import Application, ApplicationVersion, Call
    from review.enums import AssignmentStatus, ProvincialDecision, Recommendation
    from review.guards import FORMAL_CHECKLIST
    from review.models import (
        Approval,
        Criterion,
        ExpertAssignment,
        FormalReview,
        PanelMembership,
        ProvincialReview,
        Score,
        ScoreItem,
        TransitionLog,
    )
    from review.transitions import TRANSITIONS

    now = timezone.now()
    password = make_password(PASSWORD)  # hashed once, shared by every bench user
    provinces = list(Province.objects.order_by("code"))
    assert len(provinces) == 32
    bureaus = {o.province_id: o for o in Organisation.objects.filter(kind=OrganisationKind.PROVINCIAL_BUREAU)}
    national_org = Organisation.objects.get(kind=OrganisationKind.NATIONAL_OFFICE)

    with transaction.atomic():
        # Calls, one a year, the last one open, each with a four-line rubric.
        first_year = now.year - N_CALLS + 1
        calls = Call.objects.bulk_create([
            Call(title=f"{BENCH_MARK}{year}年度国家专利导航产业发展实验区申报", year=year,
                 opens_on=date(year, 3, 1),
                 national_deadline=timezone.make_aware(datetime(year, 6, 30, 17, 0)) if year < now.year
                 else now + timedelta(days=45),
                 status=CallStatus.OPEN if year == now.year else CallStatus.CLOSED, target_zones=10)
            for year in range(first_year, now.year + 1)
        ])
        criteria = Criterion.objects.bulk_create([
            Criterion(call=call, name=name, max_score=25, position=i)
            for call in calls for i, name in enumerate(["产业基础", "建设方案", "工作机制", "政策保障"])
        ])
        criteria_by_call = {}
        for c in criteria:
            criteria_by_call.setdefault(c.call_id, []).append(c)

        # Applicant organisations, spread over the 32 provinces.
        orgs = Organisation.objects.bulk_create([
            Organisation(kind=OrganisationKind.APPLICANT, name=f"基准测试{provinces[i % 32].name}第{i:04d}号园区管委会",
                         province=provinces[i % 32], parent=bureaus[provinces[i % 32].pk],
                         level="park_committee" if i % 3 else "prefecture",
                         city=f"{provinces[i % 32].name[:2]}{(i // 32) % 9 + 1}市")
            for i in range(N_ORGS)
        ], batch_size=BATCH)
        institutions = Organisation.objects.bulk_create([
            Organisation(kind=OrganisationKind.INSTITUTION, name=f"基准测试研究院{k:02d}", province=provinces[k % 32])
            for k in range(40)
        ])

        # Users: 2,000 in all.
        users = []
        for i, org in enumerate(orgs):
            users.append(User(username=f"bench-applicant-{i:04d}", role=Role.APPLICANT, organisation=org,
                              email=f"applicant{i}@bench.invalid", password=password))
        for p in provinces:
            for k in range(N_PROVINCIAL_PER_PROVINCE):
                users.append(User(username=f"bench-provincial-{p.code}-{k}", role=Role.PROVINCIAL,
                                  organisation=bureaus[p.pk], email=f"p{p.code}{k}@bench.invalid", password=password))
        for k in range(N_NATIONAL):
            users.append(User(username=f"bench-national-{k:02d}", role=Role.NATIONAL, organisation=national_org,
                              email=f"n{k}@bench.invalid", password=password))
        for k in range(N_ADMIN):
            users.append(User(username=f"bench-admin-{k}", role=Role.ADMIN, organisation=national_org,
                              is_staff=True, email=f"a{k}@bench.invalid", password=password))
        for k in range(N_EXPERTS):
            users.append(User(username=f"bench-expert-{k:03d}", role=Role.EXPERT,
                              organisation=institutions[k % len(institutions)], email=f"e{k}@bench.invalid",
                              password=password))
        users = User.objects.bulk_create(users, batch_size=BATCH)
        assert len(users) == N_USERS
        applicant_user = {u.organisation_id: u for u in users if u.role == Role.APPLICANT}
        province_of_bureau = {org.pk: province_id for province_id, org in bureaus.items()}
        provincial_users = {}
        for u in users:
            if u.role == Role.PROVINCIAL:
                provincial_users.setdefault(province_of_bureau[u.organisation_id], []).append(u)
        national_users = [u for u in users if u.role == Role.NATIONAL]
        experts = [u for u in users if u.role == Role.EXPERT]
        expert_home = {e.pk: provinces[(k * 7) % 32].pk for k, e in enumerate(experts)}
        ExpertProfile.objects.bulk_create([
            ExpertProfile(user=e, home_province_id=expert_home[e.pk], field=INDUSTRIES[k % len(INDUSTRIES)])
            for k, e in enumerate(experts)
        ], batch_size=BATCH)
        PanelMembership.objects.bulk_create([PanelMembership(call=c, expert=e) for c in calls for e in experts],
                                            batch_size=BATCH)

        # Applications with a consistent history.
        plans = []  # (application, path)
        for c_index, call in enumerate(calls):
            weights = WEIGHTS_OPEN if call.status == CallStatus.OPEN else WEIGHTS_CLOSED
            states, w = zip(*weights.items(), strict=True)
            for org in orgs:
                state = rng.choices(states, w)[0]
                path = _path_for(state, rng)
                assert _check_path(path) == state
                industry = INDUSTRIES[(org.pk + c_index) % len(INDUSTRIES)]
                app = Application(
                    call=call, applicant=org, province=org.province, state=state,
                    current_version=path.count("submit") + path.count("resubmit"),
                    state_changed_at=now - timedelta(days=rng.randint(0, 365 * (N_CALLS - c_index))),
                    zone_name=f"{org.city}{industry}专利导航产业发展实验区", city=org.city,
                    host_park=f"{org.city}高新技术产业开发区", is_demo_park=rng.random() < 0.4,
                    zone_area_km2=Decimal(rng.randint(500, 9000)) / 100, industry_name=industry,
                    contact_name="张三", contact_title="主任", contact_phone="010-12345678",
                    contact_email=f"contact{org.pk}@bench.invalid", figures_year=call.year - 1,
                    gross_output=Decimal(rng.randint(3000, 90000)) / 10, resident_enterprises=rng.randint(80, 900),
                    patents_per_10k=Decimal(rng.randint(50, 400)) / 10, industry_patents=rng.randint(500, 20000),
                    management_agency_name=f"{org.city}{industry}产业发展促进中心",
                    plan_situation="实验区产业集聚效应明显," * 12, plan_goals="五年内建成专利密集型产业集群。" * 8,
                    task_mechanism="建立专利导航产业发展工作机制。" * 6,
                )
                plans.append((app, path))
        apps = Application.objects.bulk_create([a for a, _ in plans], batch_size=BATCH)

        logs, versions, reviews, formal, approvals, assignments = [], [], [], [], [], []
        rank = {}
        for app, (_, path) in zip(apps, plans, strict=True):
            applicant = applicant_user[app.applicant_id]
            prov_user = provincial_users[app.province_id][app.pk % N_PROVINCIAL_PER_PROVINCE]
            nat_user = national_users[app.pk % len(national_users)]
            state, version = "draft", 0
            for name in path:
                actor = {"submit": applicant, "resubmit": applicant}.get(name)
                if actor is None:
                    actor = prov_user if name in {"start_provincial_review", "return_to_applicant", "decline",
                                                  "recommend"} else nat_user
                target = str(TRANSITIONS[name].target)
                if name in {"submit", "resubmit"}:
                    version += 1
                    versions.append(ApplicationVersion(application=app, number=version, submitted_by=applicant,
                                                       snapshot=_snapshot(app), eligibility=[]))
                opinion = OPINIONS.get(name, "")
                if name in {"return_to_applicant", "decline", "recommend"}:
                    reviews.append(ProvincialReview(application=app, version=version, reviewer=prov_user,
                                                    decision={"return_to_applicant": ProvincialDecision.RETURN,
                                                              "decline": ProvincialDecision.DECLINE,
                                                              "recommend": ProvincialDecision.RECOMMEND}[name],
                                                    opinion=opinion))
                if name == "recommend":
                    key = (app.call_id, app.province_id)
                    rank[key] = rank.get(key, 0) + 1
                    app.provincial_rank = rank[key]
                    app.forwarded_at = app.forwarded_at or now
                if name == "return_to_province":
                    app.provincial_rank = None  # guards.clear_provincial_rank
                if name == "start_national_review":
                    # guards.lock_provincial_ranking: the province's ranking in that call is settled.
                    app.national_review_started_at = app.national_review_started_at or now
                if name == "send_to_experts":
                    formal.append(FormalReview(application=app, version=version, reviewer=nat_user,
                                               checklist={k: True for k, _ in FORMAL_CHECKLIST}))
                    candidates = [e for e in experts if expert_home[e.pk] != app.province_id]
                    for e in rng.sample(candidates, 5):
                        assignments.append(ExpertAssignment(application=app, expert=e, assigned_by=nat_user,
                                                            deadline=now + timedelta(days=20)))
                if name in {"approve", "not_approve"}:
                    approvals.append(Approval(application=app, approved=name == "approve", text=opinion,
                                              decided_by=nat_user,
                                              document_number=f"国知发管函字〔{app.call.year}〕{app.pk}号"))
                logs.append(TransitionLog(application=app, transition=name, from_state=state, to_state=target,
                                          actor=actor, actor_organisation_id=actor.organisation_id,
                                          actor_role=actor.role, opinion=opinion, version=version))
                state = target
            assert state == app.state and version == app.current_version
        Application.objects.bulk_update([a for a in apps if a.provincial_rank or a.national_review_started_at],
                                        ["provincial_rank", "forwarded_at", "national_review_started_at"],
                                        batch_size=BATCH)
        ApplicationVersion.objects.bulk_create(versions, batch_size=BATCH)
        TransitionLog.objects.bulk_create(logs, batch_size=BATCH)
        ProvincialReview.objects.bulk_create(reviews, batch_size=BATCH)
        FormalReview.objects.bulk_create(formal, batch_size=BATCH)
        Approval.objects.bulk_create(approvals, batch_size=BATCH)
        assignments = ExpertAssignment.objects.bulk_create(assignments, batch_size=BATCH)

        # Scores: decided applications have at least the call's minimum; those in review some or none.
        state_of = {a.pk: a.state for a in apps}
        by_app = {}
        for a in assignments:
            by_app.setdefault(a.application_id, []).append(a)
        scores, submitted_assignments = [], []
        for app_id, group in by_app.items():
            decided = state_of[app_id] in {"approved", "not_approved"}
            n = rng.randint(3, 5) if decided else rng.randint(0, 5)
            for a in group[:n]:
                scores.append(Score(assignment=a, recommendation=rng.choice(list(Recommendation.values)),
                                    comment="方案可行,目标明确。", submitted_at=now - timedelta(days=rng.randint(1, 30))))
                a.status = AssignmentStatus.SUBMITTED
                submitted_assignments.append(a)
        ExpertAssignment.objects.bulk_update(submitted_assignments, ["status"], batch_size=BATCH)
        scores = Score.objects.bulk_create(scores, batch_size=BATCH)
        call_of_app = {a.pk: a.call_id for a in apps}
        app_of_assignment = {a.pk: a.application_id for a in assignments}
        items = [ScoreItem(score=s, criterion=c, value=Decimal(rng.randint(120, 250)) / 10)
                 for s in scores for c in criteria_by_call[call_of_app[app_of_assignment[s.assignment_id]]]]
        ScoreItem.objects.bulk_create(items, batch_size=BATCH)

    print(f"{len(apps)} applications, {len(users)} users, {len(logs)} log entries, {len(versions)} versions, "
          f"{len(assignments)} assignments, {len(scores)} scores, {len(items)} score items")


SNAPSHOT_SKIP = {"id", "state", "current_version", "provincial_rank", "forwarded_at", "state_changed_at", "created_at", "updated_at"}


def _snapshot(app) -> dict:
    """The same shape as applications.submission.snapshot(), without its per-row queries."""
    data = {}
    for f in app._meta.concrete_fields:
        if f.name in SNAPSHOT_SKIP:
            continue
        value = f.value_from_object(app)
        data[f.attname] = value if value is None or isinstance(value, bool | int | str) else str(value)
    data.update(applicant_name=app.applicant.name, applicant_level=app.applicant.level,
                province_name=app.province.name if app.province_id else "", call_title=app.call.title,
                policies=[], plan_years=[], funding=[], evidence=[])
    return data


# ---------------------------------------------------------------------------------------------
# Sessions and the plan of requests


def mark_verified(session, user):
    """What signing in with the second step leaves in a session (as tests/conftest.py does for
    force_login): the session clock started now and, for the roles that must pass a second factor,
    the TOTP device that verified it. Without it every staff page answers 302 to the second step."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from security import session_keys
    from security.policy import second_factor_required

    session[session_keys.STARTED] = session[session_keys.LAST_ACTIVITY] = time.time()
    if second_factor_required(user):
        device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                  or TOTPDevice.objects.create(user=user, name="bench", confirmed=True))
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[session_keys.HAS_DEVICE] = True
    else:
        session[session_keys.HAS_DEVICE] = False


def make_plan(users_per_role: int, rng: random.Random) -> list[dict]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.enums import Role
    from accounts.models import Province, User
    from applications.models import Application, Call
    from applications.queries import applications_for

    def session_for(user):
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        mark_verified(s, user)
        s.create()
        return s.session_key

    bench_users = User.objects.filter(username__startswith="bench-").select_related("organisation")
    applicants = list(bench_users.filter(role=Role.APPLICANT).order_by("?")[:users_per_role])
    provincials = list(bench_users.filter(role=Role.PROVINCIAL).order_by("?")[:users_per_role])
    nationals = list(bench_users.filter(role=Role.NATIONAL).order_by("?")[:users_per_role])
    experts = list(bench_users.filter(role=Role.EXPERT, assignments__status="assigned").distinct()
                   .order_by("?")[:users_per_role])
    sessions = {u.pk: session_for(u) for u in applicants + provincials + nationals + experts}
    cookie = settings.SESSION_COOKIE_NAME

    def items(users, paths):
        return [[path, f"{cookie}={sessions[u.pk]}"] for u in users for path in paths(u)]

    # The API group: each user calls with a token of their own (audited on every use, as in production).
    from api.models import ApiToken
    from api.services import create_token

    # Each run's tokens end with it: an earlier run's are deleted first (a user holds at most 10 live ones).
    ApiToken.objects.filter(name="bench", user__in=provincials + nationals + experts).delete()
    tokens = {u.pk: create_token(u, "bench", 30, read_only=True)[1] for u in provincials + nationals + experts}

    def api_items(users, paths):
        return [[path, "", f"Bearer {tokens[u.pk]}"] for u in users for path in paths(u)]

    def api_details(user, k=15):
        return ["/api/v1" + path for path in details(user, k)]

    def details(user, k=15):
        pks = list(applications_for(user).values_list("pk", flat=True).order_by("?")[:k])
        return [f"/applications/{pk}/" for pk in pks]

    def assignment_pages(user, k=15):
        pks = list(user.assignments.filter(status="assigned").values_list("pk", flat=True).order_by("?")[:k])
        return [f"/expert/assignments/{pk}/" for pk in pks]

    open_call = Call.objects.filter(title__startswith=BENCH_MARK).order_by("-year").first()
    calls = list(Call.objects.filter(title__startswith=BENCH_MARK).values_list("pk", flat=True))
    province_ids = list(Province.objects.values_list("pk", flat=True))
    industries = INDUSTRIES

    def province_filters(user):
        cities = list(Application.objects.filter(province_id=user.organisation.province_id)
                      .values_list("city", flat=True).distinct()[:5])
        return ["/province/?state=provincial_review", f"/province/?state=recommended&call={open_call.pk}",
                "/province/?" + urlencode({"city": cities[0], "industry": rng.choice(industries)}),
                "/province/?deadline=open&sort=-state_changed_at", f"/province/?call={rng.choice(calls)}&page=2"]

    def national_filters(user):
        return ["/national/?state=expert_review", f"/national/?province={rng.choice(province_ids)}",
                f"/national/?region=east&call={open_call.pk}", "/national/?" + urlencode({"industry": rng.choice(industries)}),
                f"/national/?state=recommended&province={rng.choice(province_ids)}&call={rng.choice(calls)}"]

    groups = [
        {"name": "bare view (start)", "items": [["/bench/bare", ""]], "bare": True},
        {"name": "/applicant/", "items": items(applicants, lambda u: ["/applicant/"])},
        {"name": "/province/", "items": items(provincials, lambda u: ["/province/"])},
        {"name": "/province/?filters", "items": items(provincials, province_filters)},
        {"name": "/national/", "items": items(nationals, lambda u: ["/national/"])},
        {"name": "/national/?filters", "items": items(nationals, national_filters)},
        {"name": "/expert/", "items": items(experts, lambda u: ["/expert/"])},
        {"name": "detail as applicant", "items": items(applicants, details)},
        {"name": "detail as province", "items": items(provincials, details)},
        {"name": "detail as national", "items": items(nationals, details)},
        # Experts never reach the application page (404): their page of an application is the assignment.
        {"name": "assignment page as expert", "items": items(experts, assignment_pages)},
        {"name": "API /applications/ as province", "items": api_items(
            provincials, lambda u: ["/api/v1/applications/", "/api/v1/applications/?state=provincial_review"])},
        {"name": "API /applications/ as national", "items": api_items(
            nationals, lambda u: ["/api/v1/applications/?page_size=100",
                                  f"/api/v1/applications/?province={rng.choice(province_ids)}"])},
        {"name": "API /expert/assignments/", "items": api_items(experts, lambda u: ["/api/v1/expert/assignments/"])},
        {"name": "API detail as province", "items": api_items(provincials, api_details)},
        {"name": "API detail as national", "items": api_items(nationals, api_details)},
    ]
    from bench import zones_fixture

    groups += zones_fixture.groups(items, nationals, provincials, rng)
    groups.append({"name": "bare view (end)", "items": [["/bench/bare", ""]], "bare": True})
    for g in groups:
        assert g["items"], g["name"]
        rng.shuffle(g["items"])
        g["kind"] = "bare" if g.get("bare") else kind_of(g["name"])
    return groups


# Issue 15's goals, against the bare view of the same run: a list page serves at least 1/8 of its
# requests per second, a detail page 1/5, and no page's p95 is above 10 × the bare view's.
GOAL_RPS = {"list": 1 / 8, "detail": 1 / 5}
GOAL_P95 = 10


def kind_of(name: str) -> str:
    """List pages are the workspaces, the queues and the zones table (with or without filters), in the
    portal and in the API; the rest (an application, an assignment, a zone) are detail pages."""
    if "detail" in name or " page " in name:
        return "detail"
    return "list"


# ---------------------------------------------------------------------------------------------
# The driver (runs in its own process)


def drive(plan_file: str, port: int, users: int, duration: float, max_requests: int, warmup: float) -> list[dict]:
    plan = json.loads(Path(plan_file).read_text())
    results = []
    for group in plan:
        if warmup:
            _load_group(group["items"], port, users, warmup, max_requests)
        before = cpu_by_process()
        stats = _load_group(group["items"], port, users, duration, max_requests)
        spent = cpu_spent(before, cpu_by_process())
        done = max(stats["requests"], 1)
        stats["cpu_ms"] = {k: round(v * 1000 / done, 2) for k, v in spent.items()}
        stats["name"] = group["name"]
        stats["bare"] = group.get("bare", False)
        results.append(stats)
        print(json.dumps(stats, ensure_ascii=False), file=sys.stderr, flush=True)
    return results


def cpu_by_process() -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each process on this machine, with its kind: the portal (gunicorn),
    PostgreSQL, Redis, this load generator, everything else (Linux /proc). The difference over a group,
    divided by its requests, says where the machine's time went per request."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[str, float]] = {}
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(entry.name) == me:
            kind = "load generator"
        elif b"gunicorn" in cmdline:
            kind = "portal"
        elif comm.startswith("postgres") or cmdline.startswith(b"postgres"):
            kind = "postgresql"
        elif comm.startswith("redis"):
            kind = "redis"
        else:
            kind = "other"
        found[int(entry.name)] = (kind, seconds)
    return found


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds by kind between two snapshots: processes that ended meanwhile are left out (their
    last seconds are unknown), processes that started count whole."""
    spent: dict[str, float] = {}
    for pid, (kind, seconds) in after.items():
        if pid in before and before[pid][0] == kind:
            seconds -= before[pid][1]
        spent[kind] = spent.get(kind, 0) + seconds
    return spent


def _load_group(items, port, users, duration, max_requests) -> dict:
    lock = threading.Lock()
    latencies, errors, statuses = [], [], {}
    issued = [0]
    deadline = time.monotonic() + duration

    def worker(offset):
        i = offset
        while True:
            with lock:
                if issued[0] >= max_requests or time.monotonic() >= deadline:
                    return
                issued[0] += 1
            path, cookie, *auth = items[i % len(items)]
            i += users
            headers = {"Cookie": cookie} if cookie else {}
            if auth:
                headers["Authorization"] = auth[0]
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                conn.close()
                elapsed = time.perf_counter() - start
                ok = response.status == 200 and (b"</html>" in body or body[:1] in (b"{", b"["))
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    (latencies if ok else errors).append(elapsed)
            except OSError as exc:
                with lock:
                    errors.append(time.perf_counter() - start)
                    statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    done = len(latencies) + len(errors)
    return {
        "requests": done, "errors": len(errors), "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": round(_percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 95) * 1000, 1) if latencies else None,
        "rps": round(len(latencies) / wall, 1), "seconds": round(wall, 1),
    }


def _percentile(values, pct):
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


# ---------------------------------------------------------------------------------------------
# Orchestration


def collect_static(database_url: str) -> str:
    root = os.path.join(tempfile.gettempdir(), "portal-bench-static")
    env = {**server_env(database_url), "STATIC_ROOT": root}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    return root


def wait_until_up(port: int, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/bench/bare")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer on /bench/bare")


def write(database_url: str, redis_url: str, rate: float):
    """Until killed: `rate` times a second, save one random application (as an applicant's draft being
    edited would), through the ORM and on the same cache as the server, so every page that read the
    application table is rendered again on its next request."""
    setup_django(database_url, redis_url)
    from django.utils import timezone

    from applications.models import Application

    pks = list(Application.objects.values_list("pk", flat=True))
    rng = random.Random(11)
    while True:
        Application.objects.filter(pk=rng.choice(pks)).update(updated_at=timezone.now())
        time.sleep(1 / rate)


def run(args):
    build(args.database_url)
    static_root = collect_static(args.database_url)
    plan = make_plan(args.users, random.Random(7))
    if args.only:
        plan = [g for g in plan if g.get("bare") or any(part in g["name"] for part in args.only)]
    plan_file = Path(tempfile.gettempdir()) / f"portal-bench-plan-{os.getpid()}.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False))
    env = {**server_env(args.database_url), "STATIC_ROOT": static_root}
    if args.redis_url:
        # As in production: the cache (and Celery's broker) on Redis, shared by the workers. Emptied first:
        # every run starts cold and fills the cache in its warm-up seconds.
        env["REDIS_URL"] = args.redis_url
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    # Cached pages (pagecache): 0 renders every page on every request (what a cache miss costs).
    env["PAGE_CACHE_SECONDS"] = str(args.page_cache_seconds)
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--bind", f"{HOST}:{args.port}",
         "--workers", str(args.workers), "--worker-class", "sync", "--backlog", "256", "--timeout", "120",
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    writer = None
    try:
        wait_until_up(args.port)
        if args.writes_per_second:
            if not args.redis_url:
                raise SystemExit("--writes-per-second needs the shared cache (--redis-url)")
            writer = subprocess.Popen(
                [sys.executable, __file__, "--database-url", args.database_url, "write", "--rate",
                 str(args.writes_per_second), "--redis-url", args.redis_url], cwd=ROOT, start_new_session=True)
        # The second process: it only sends requests and measures.
        driver = subprocess.run(
            [sys.executable, __file__, "drive", "--plan", str(plan_file), "--port", str(args.port),
             "--users", str(args.users), "--duration", str(args.duration), "--max-requests", str(args.max_requests),
             "--warmup", str(args.warmup)],
            cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, text=True,
            timeout=len(plan) * (args.duration + args.warmup + 120), check=True)
        results = json.loads(driver.stdout)
        if writer is not None and writer.poll() is not None:
            raise SystemExit(f"the writing process ended early (exit status {writer.returncode})")
    finally:
        if writer is not None:
            os.killpg(writer.pid, signal.SIGTERM)
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        plan_file.unlink(missing_ok=True)
    report(results, args)


def report(results, args):
    bare = [r for r in results if r["bare"]]
    bare_p50 = statistics.mean(r["p50_ms"] for r in bare)
    bare_p95 = statistics.mean(r["p95_ms"] for r in bare)
    bare_rps = statistics.mean(r["rps"] for r in bare)
    load = os.getloadavg()
    print(f"\n{args.users} concurrent users, {args.duration:g} s per group (max {args.max_requests} requests), "
          f"gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs, load average {load[0]:.1f}, "
          f"page cache {args.page_cache_seconds} s, cache {'Redis' if args.redis_url else 'local memory'}, "
          f"{args.writes_per_second:g} application writes a second")
    header = ("| page group | kind | requests | errors | p50 ms | p95 ms | req/s | bare p50 ms | bare p95 ms "
              "| bare req/s | p50 × bare | p95 × bare | req/s ÷ bare | goal |")
    print(header)
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    missed = []
    for r in results:
        kind = r.get("kind", "bare" if r["bare"] else kind_of(r["name"]))
        ratio_p50 = f"{r['p50_ms'] / bare_p50:.1f}" if r["p50_ms"] else "–"
        ratio_p95 = r["p95_ms"] / bare_p95 if r["p95_ms"] else None
        ratio_rps = r["rps"] / bare_rps if bare_rps else 0
        goal = "–"
        if kind in GOAL_RPS:
            met = ratio_rps >= GOAL_RPS[kind] and ratio_p95 is not None and ratio_p95 <= GOAL_P95 and not r["errors"]
            goal = "met" if met else "**missed**"
            if not met:
                missed.append(r["name"])
        print(f"| {r['name']} | {kind} | {r['requests']} | {r['errors']} | {r['p50_ms']} | {r['p95_ms']} | {r['rps']} "
              f"| {bare_p50:.1f} | {bare_p95:.1f} | {bare_rps:.1f} | {ratio_p50} "
              f"| {f'{ratio_p95:.1f}' if ratio_p95 is not None else '–'} | {ratio_rps:.2f} | {goal} |")
    print(f"goal (list ≥ {GOAL_RPS['list']:.3f}, detail ≥ {GOAL_RPS['detail']:.2f} of the bare req/s; "
          f"p95 ≤ {GOAL_P95} × bare): " + ("met by every page group" if not missed else "missed by " + ", ".join(missed)))
    kinds = ("portal", "postgresql", "redis", "load generator", "other")
    print("\nCPU per request, ms (all processes on the machine during the group, by kind):")
    print("| page group | " + " | ".join(kinds) + " | total |")
    print("|---|" + "---:|" * (len(kinds) + 1))
    for r in results:
        cpu = r.get("cpu_ms", {})
        print(f"| {r['name']} | " + " | ".join(f"{cpu.get(k, 0):.2f}" for k in kinds)
              + f" | {sum(cpu.get(k, 0) for k in kinds):.2f} |")
    bad = {r["name"]: r["statuses"] for r in results if r["errors"]}
    if bad:
        print("errors by status:", json.dumps(bad, ensure_ascii=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the fixture in the bench database")
    b.add_argument("--force", action="store_true", help="drop and rebuild the bench database")
    r = sub.add_parser("run", help="build if needed, serve with gunicorn, load, print the figures")
    w = sub.add_parser("write", help="(internal) the writing third process (--writes-per-second)")
    w.add_argument("--rate", type=float, required=True)
    w.add_argument("--redis-url", required=True)
    d = sub.add_parser("drive", help="(internal) the load-generating second process")
    d.add_argument("--plan", required=True)
    for p in (r, d):
        p.add_argument("--port", type=int, default=8105)
        p.add_argument("--users", type=int, default=20, help="concurrent users")
        p.add_argument("--duration", type=float, default=15, help="seconds per page group")
        p.add_argument("--max-requests", type=int, default=5000, help="cap per page group")
        p.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured requests per group")
    r.add_argument("--workers", type=int, default=3)
    r.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
                   help="serve with the cache on this Redis, as in production (the default; '' for none: "
                   "each worker then has Django's local-memory cache)")
    r.add_argument("--page-cache-seconds", type=int, default=60,
                   help="how long a user's rendered page may be served again (settings.PAGE_CACHE_SECONDS); 0 for "
                   "never, so every request renders its page")
    r.add_argument("--writes-per-second", type=float, default=0,
                   help="while loading, a third process saves this many random applications a second (as drafts "
                   "being edited would): the pages that read them are rendered again after each save")
    r.add_argument("--only", nargs="*", default=[], help="only the page groups whose names contain one of "
                   "these (the bare view is always measured)")
    args = parser.parse_args()
    if args.command == "build":
        build(args.database_url, force=args.force)
    elif args.command == "write":
        write(args.database_url, args.redis_url, args.rate)
    elif args.command == "run":
        run(args)
    else:
        print(json.dumps(drive(args.plan, args.port, args.users, args.duration, args.max_requests, args.warmup)))


if __name__ == "__main__":
    main()
