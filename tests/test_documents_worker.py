"""Every document rendered by a real Celery worker over Redis, read back as text, fonts checked;
the dossier's page count and table of contents checked against its parts."""

import re
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from documents.dossier import EVIDENCE_ORDER
from documents.enums import DocumentKind as K
from documents.models import Document
from tests.documents_helpers import KANGXI, approved_application, embedded_fonts, flat, pdf_text, wait_ready

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DATE = re.compile(r"20\d\d年1?\d月[1-3]?\d日")


@pytest.fixture
def experts(make_expert):
    return [make_expert("110000", "甲大学"), make_expert("310000", "乙大学"), make_expert("330000", "丙研究院")]


@pytest.fixture
def approved(applicant, provincial, national, experts):
    return approved_application(applicant, provincial, national, experts)


def _ask(client, user, url, kind_document_lookup):
    client.force_login(user)
    response = client.post(url)
    assert response.status_code == 302
    document = Document.objects.filter(**kind_document_lookup).order_by("-version").first()
    assert document is not None
    return wait_ready(document)


def _download(client, document) -> bytes:
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _common_checks(content: bytes, app):
    reader, pages = pdf_text(content)
    text = "".join(pages)
    assert not KANGXI.findall(text), "text must extract as ordinary CJK, not Kangxi radicals or U+FFFD"
    fonts = embedded_fonts(reader)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert all("+" in name for name, _ in fonts), "fonts are subset (tagged names)"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    return reader, pages, flat(text)


def test_every_document_is_rendered_by_a_worker(client, celery_worker, approved, applicant, national):
    app = approved
    zone = app.zone_name
    results = {}
    for kind in (K.COMMITMENT, K.APPLICATION_FORM, K.PROVINCIAL_OPINION, K.APPROVAL, K.DOSSIER):
        document = _ask(client, applicant, reverse("documents:request", args=[app.pk, kind]),
                        {"kind": kind, "application": app})
        assert document.status == "ready", document.error
        results[kind] = _download(client, document)
    document = _ask(client, national, reverse("documents:request_score_summary", args=[app.call_id]),
                    {"kind": K.SCORE_SUMMARY, "call": app.call})
    assert document.status == "ready", document.error
    results[K.SCORE_SUMMARY] = _download(client, document)

    # 申报书: every section, figures with their thresholds, the plan and the year-by-year targets.
    _reader, pages, text = _common_checks(results[K.APPLICATION_FORM], app)
    assert len(pages) >= 6
    for expected in (zone, app.applicant.name, app.industry_name, app.service_agency_name, app.zone_scope[:12],
                     f"{app.gross_output}亿元", "不低于30亿元", f"{app.resident_enterprises}家", "不少于40家",
                     f"{app.patents_per_10k}件", "不低于10件", f"{app.service_agency_staff}人", "不少于5人",
                     "申报条件对照表", "五、主要任务", "年度计划与目标", app.task_mechanism[:10],
                     str(app.plan_years.first().output_target), app.contact_email):
        assert flat(expected) in text, expected
    assert re.search(r"—\d+—", text), "page numbers in the — N — style"

    # 承诺书: the letter with funding by year, lead department, leading group, signature block.
    _reader, pages, text = _common_checks(results[K.COMMITMENT], app)
    total = sum(f.amount_wan for f in app.funding.all())
    for expected in ("国家专利导航产业发展实验区建设承诺书", zone, app.lead_department, app.leading_group_head,
                     f"{total}万元", str(app.funding.first().year) + "年", "(盖章)", "年月日"):
        assert flat(expected) in text, expected

    # 审核意见/推荐函 from the province to the national office.
    _reader, pages, text = _common_checks(results[K.PROVINCIAL_OPINION], app)
    for expected in ("国家知识产权局专利管理司:", "江苏省知识产权局", zone, "同意推荐", "材料齐全,符合申报条件",
                     f"{app.gross_output}亿元", "不低于30亿元", "排序第1位"):
        assert flat(expected) in text, expected
    assert DATE.search(text)

    # 批复 from the national office to the provincial bureau.
    _reader, pages, text = _common_checks(results[K.APPROVAL], app)
    for expected in ("国家知识产权局办公室", "江苏省知识产权局:", app.approval.document_number, zone, "批复",
                     "同意该实验区按建设方案开展建设"):
        assert flat(expected) in text, expected
    assert DATE.search(text)

    # 专家评分汇总表: ranking, aggregates and each criterion per expert.
    _reader, pages, text = _common_checks(results[K.SCORE_SUMMARY], app)
    for expected in ("专家评分汇总表", zone, "条件具备", "工作扎实", "去极值均分", "83.00", "91.00", "87.00", "排序汇总"):
        assert flat(expected) in text, expected

    _check_dossier(app, results[K.DOSSIER])


def _check_dossier(app, content):
    reader, pages, _text = _common_checks(content, app)
    toc_text = pages[1]
    entries = [(flat(title), int(page)) for title, page in
               re.findall(r"\d+\.\s*(.+?)\s*\.+\s*(\d+)", toc_text.replace("\n", " "))]
    version = app.versions.get(number=app.current_version)
    rank = {kind: i for i, kind in enumerate(EVIDENCE_ORDER)}
    evidence = sorted(version.evidence.order_by("uploaded_at", "pk"), key=lambda e: rank[e.kind])
    policies = [p for p in version.snapshot["policies"] if p.get("document_file")]
    assert [t for t, _ in entries][:3] == [flat(t) for t in ("申报书", "建设方案", "实验区建设承诺书(签章扫描件)")]
    assert len(entries) == 2 + len(evidence) + len(policies)
    # The parts follow the conditions: a policy document stands between the boundary map and the rest.
    titles = [t for t, _ in entries]
    policy_at = [i for i, t in enumerate(titles) if t.startswith(flat("地方支持政策:"))]
    assert len(policy_at) == len(policies) and policies
    assert all(flat("实验区范围边界图") in titles[i - 1] or titles[i - 1].startswith(flat("地方支持政策"))
               for i in policy_at)
    # Parts follow each other without gaps: each part's length is the next start minus its start.
    starts = [p for _, p in entries] + [len(reader.pages) + 1]
    assert starts[0] == 3  # cover, table of contents, then the 申报书
    lengths = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(n >= 1 for n in lengths)
    assert 1 + 1 + sum(lengths) == len(reader.pages)  # the dossier is exactly the sum of its parts
    assert "国家专利导航产业发展实验区申报书" in flat(pages[starts[0] - 1])
    assert "—3—" in flat(pages[starts[0] - 1]), "printed page number matches the table of contents"
    assert flat(f"{app.zone_name}建设方案") in flat(pages[starts[1] - 1])
    # Evidence parts: a PDF is copied page for page, an image gets one captioned page; the policy
    # documents stand where the condition on local policy does.
    sources = iter(evidence)
    policy_files = iter(policies)
    for (title, start), length in zip(entries[2:], lengths[2:], strict=True):
        if title.startswith(flat("地方支持政策")):
            with default_storage.open(next(policy_files)["document_file"], "rb") as fh:
                source, label = fh.read(), title
        else:
            item = next(sources)
            source = item.file.open("rb").read()
            item.file.close()
            label = item.get_kind_display()
        if source[:5] == b"%PDF-":
            original = PdfReader(BytesIO(source))
            assert length == len(original.pages), title
            copied = reader.pages[start - 1].images[0].data
            assert copied == original.pages[0].images[0].data, title
        else:
            assert length == 1
            assert flat(label) in flat(pages[start - 1]), title
    # Every page after the cover carries its own number, merged evidence pages too (stamped).
    for number in range(2, len(reader.pages) + 1):
        assert re.search(rf"—\s*{number}\s*—", pages[number - 1]), number
    outline = [(flat(o.title), reader.get_destination_page_number(o) + 1) for o in reader.outline]
    assert outline == [(flat(title), page) for title, page in entries]
