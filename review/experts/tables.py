"""The expert's assignment table on /expert/, formatted in Python: per row the template called
get_status_display() (a translation of every status label), three `{% url %}` and a date filter."""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from ..enums import AssignmentStatus

ROW = ('<tr><th scope="row" class="fw-normal">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
       '<td>{}</td></tr>')
DATETIME = "%Y-%m-%d %H:%M"  # the template's "Y-m-d H:i", in the current time zone


def _score(assignment):
    try:
        return assignment.score  # select_related: no query
    except ObjectDoesNotExist:
        return None


def assignment_rows_html(assignments, now=None):
    now = now or timezone.now()
    score = reverse("experts:score", args=[987654321]).replace("987654321", "{}")
    start = reverse("experts:assignment", args=[987654321]).replace("987654321", "{}")
    overdue = format_html(' <span class="badge text-bg-danger">{}</span>', gettext("已逾期"))
    unset = format_html('<span class="text-muted">{}</span>', gettext("未设定"))
    draft = format_html('<span class="badge text-bg-warning">{}</span>', gettext("草稿已保存"))
    view, resume, begin = gettext("查看评分"), gettext("继续评分"), gettext("开始评审")

    def deadline(a):
        if not a.deadline:
            return unset
        late = overdue if a.status == AssignmentStatus.ASSIGNED and a.deadline < now else ""
        return format_html("{}{}", timezone.localtime(a.deadline).strftime(DATETIME), late)

    def status(a):
        if a.status == AssignmentStatus.SUBMITTED:
            return format_html('<span class="badge text-bg-success">{}</span>', a.status_label)
        sheet = _score(a)
        if sheet is not None and not sheet.submitted_at:
            return draft
        return format_html('<span class="badge text-bg-secondary">{}</span>', a.status_label)

    def action(a):
        if a.status == AssignmentStatus.SUBMITTED:
            return format_html('<a class="btn btn-sm btn-outline-secondary" href="{}">{}</a>', score.format(a.pk), view)
        if a.opened_at:
            return format_html('<a class="btn btn-sm btn-primary" href="{}">{}</a>', score.format(a.pk), resume)
        return format_html('<a class="btn btn-sm btn-primary" href="{}">{}</a>', start.format(a.pk), begin)

    def cells(a):
        app = a.application
        return (str(app), str(app.applicant), str(app.province), str(app.call), deadline(a), status(a), action(a))

    return format_html_join("", ROW, (cells(a) for a in assignments))
