"""Helpers for the documents tests: drive an application to approval through perform(), poll documents."""

import re
import time
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from pypdf import PdfReader

from review import numbers
from review.enums import AssignmentStatus, Recommendation
from review.guards import FORMAL_CHECKLIST
from review.models import Criterion, ExpertAssignment, FormalReview, Score, ScoreItem
from review.transitions import perform
from tests.factories import submitted_application
from tests.pipeline_support import FINDINGS
from typography import fullwidth

CRITERIA = (("条件具备", Decimal("25")), ("理念到位", Decimal("25")), ("措施有力", Decimal("25")),
            ("工作扎实", Decimal("25")))
KANGXI = re.compile("[\u2f00-\u2fdf\u2e80-\u2eff\ufffd]")


def recommended_application(applicant, provincial):
    app = submitted_application(applicant)
    perform(app, provincial, "start_provincial_review", expected_state=app.state)
    perform(app, provincial, "recommend", "材料齐全,符合申报条件,同意推荐。", expected_state="provincial_review",
            extra={"rank": 1, **FINDINGS})
    app.refresh_from_db()
    return app


def approved_application(applicant, provincial, national, experts):
    app = recommended_application(applicant, provincial)
    perform(app, national, "start_national_review", expected_state=app.state)
    FormalReview.objects.create(application=app, version=app.current_version, reviewer=national,
                                checklist={key: True for key, _label in FORMAL_CHECKLIST})
    perform(app, national, "send_to_experts", expected_state="national_review")
    criteria = [Criterion.objects.get_or_create(call=app.call, name=name, defaults={"max_score": top, "position": i})[0]
                for i, (name, top) in enumerate(CRITERIA)]
    for n, expert in enumerate(experts):
        assignment = ExpertAssignment.objects.create(application=app, expert=expert, assigned_by=national,
                                                     status=AssignmentStatus.SUBMITTED)
        score = Score.objects.create(assignment=assignment, recommendation=Recommendation.APPROVE,
                                     comment="方案可行。", submitted_at=timezone.now())
        for k, criterion in enumerate(criteria):
            ScoreItem.objects.create(score=score, criterion=criterion, value=Decimal("20") + n + Decimal(k) / 2)
    perform(app, national, "approve", "同意该实验区按建设方案开展建设。", expected_state="expert_review",
            extra={"document_number": numbers.proposed(national.organisation)})
    app.refresh_from_db()
    return app


def wait_ready(document, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in ("ready", "failed"):
            return document
        time.sleep(0.2)
    raise AssertionError(f"document {document.pk} still {document.status} after {timeout}s")


def pdf_text(content: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(BytesIO(content))
    return reader, [page.extract_text() or "" for page in reader.pages]


def flat(text: str) -> str:
    """Extracted text without the line breaks and spaces that wrapping inserts, with Chinese punctuation
    made full-width as the documents print it (so an expectation may be written with ASCII marks)."""
    return fullwidth(re.sub(r"\s+", "", text))


def embedded_fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font of every page, descending into CID descendants."""
    fonts = []
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            targets = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for target in targets:
                descriptor = target.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor else {}
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts.append((str(target.get("/BaseFont")), embedded))
    return fonts
