"""Expert score aggregation: count, mean, trimmed mean, spread. Exact Decimals throughout."""

from __future__ import annotations

from .enums import AssignmentStatus
from .models import Score


def submitted_score_count(application) -> int:
    return Score.objects.filter(
        assignment__application=application, assignment__status=AssignmentStatus.SUBMITTED,
        submitted_at__isnull=False,
    ).count()
