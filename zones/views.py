"""Pages of the zones. Every zone comes through queries.zones_for (404 outside the user's scope),
every permission is a portal.* rule, every change is one service call (or a workflow transition
through services.transition), and refusals come back as messages beside the inputs."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.enums import Role
from accounts.mixins import RolePermissionMixin
from applications.models import Application
from applications.queries import visible_application
from pagecache.pages import CachedPageMixin
from review import numbers
from review.enums import AssignmentStatus
from review.experts.forms import ReasonForm
from workflow import editing
from workflow.errors import Refused
from workflow.machine import StaleStateError, TransitionError

from . import acceptance, charts, previews, queries, services, tables
from .enums import TASKS, ZoneState
from .filters import filtered_zones
from .forms import (
    AcceptanceScoreForm,
    ActivityForm,
    AutoAssignForm,
    IndicatorForm,
    InspectionForm,
    RegistrationForm,
    ReportForm,
    StudyForm,
    SummaryForm,
    TransitionForm,
    UploadForm,
)
from .queries import counted_states
from .states import INDICATOR_STATES, RECTIFICATION_STATES, REPORT_STATES, ZONE_STATES
from .transitions import WORKFLOWS

STATE_TABLES = {"zone": ZONE_STATES, "report": REPORT_STATES, "indicators": INDICATOR_STATES,
                "rectification": RECTIFICATION_STATES}


def _actions(kind, obj, user, bound=None):
    """The transitions this user may attempt on obj, each with its (possibly bound) form."""
    bound = bound or {}
    return [{"kind": kind, "object": obj, "transition": t,
             "form": bound.get((kind, obj.pk, t.name)) or TransitionForm(t, obj, user=user)}
            for t in WORKFLOWS[kind].available(obj, user, visible=True)]


class _ZonePage(RolePermissionMixin, View):
    """A page of one zone the user may see (404 otherwise, never 403). POST `transition` performs a
    step of the zone's or one of its objects' workflows; subclasses handle their other actions."""

    permission_required = "portal.view_zone"
    not_found_when_denied = True
    template_name = ""

    def get_permission_object(self):
        if not hasattr(self, "zone"):
            self.zone = queries.visible_zone(self.request.user, self.kwargs["pk"])
        return self.zone

    def transition_target(self, kind, pk):
        """The object of a workflow step posted to this page (None: not on this page)."""
        return self.zone if kind == "zone" else None

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def render_page(self, status=200, **extra):
        return render(self.request, self.template_name, {**self.context(**extra), "zone": self.zone}, status=status)

    def context(self, **extra):
        return extra

    def post(self, request, *args, **kwargs):
        if "transition" in request.POST:
            return self.post_transition(request)
        return self.post_action(request, request.POST.get("action", ""))

    def post_action(self, request, action):
        raise Http404

    def save_draft(self, form, save, fresh, done):
        """The owner's draft form: refused at its fields (everything typed kept), or, when someone else
        saved first, the conflict; `save(data, loaded=, form=)` is the service, `fresh()` the object
        as it is now."""
        loaded = self.request.POST.get(editing.TOKEN_FIELD) or None
        if not form.is_valid():
            return self.render_page(status=400, form=form, loaded=loaded)
        try:
            save(form.cleaned_data, loaded=loaded, form=form)
        except editing.EditConflict as conflict:
            return self._conflict(conflict, type(form), fresh())
        except Refused as e:
            for name, message in e.field_errors.items():
                form.add_error(name if name in form.fields else None, message)
            if not e.field_errors:
                form.add_error(None, e.message)
            return self.render_page(status=400, form=form, loaded=loaded)
        messages.success(self.request, done)
        return redirect(self.request.path)

    def attach(self, attach, done):
        """An upload to this page's object: `attach(file, title)` is the service; a refusal at the file."""
        upload = UploadForm(self.request.POST, self.request.FILES)
        if upload.is_valid():
            try:
                attach(upload.cleaned_data["file"], upload.cleaned_data["title"])
            except Refused as e:
                upload.add_error("file", e.message)
        if not upload.is_valid():
            return self.render_page(status=400, upload_form=upload)
        messages.success(self.request, done)
        return redirect(self.request.path)

    def _conflict(self, conflict, form_class, instance):
        """Nothing was saved: the page shows both versions (beside the form and at each field), keeps
        everything typed, takes the other person's values where this person changed nothing, and
        carries the new version so that saving again after merging goes through."""
        messages.error(self.request, conflict.message)
        form = form_class(conflict.data(self.request.POST), instance=instance)
        form.is_valid()
        conflict.at_fields(form)
        return self.render_page(status=409, form=form, loaded=conflict.token, conflict=conflict)

    def post_transition(self, request):
        kind, name = request.POST.get("kind", ""), request.POST.get("transition", "")
        raw = request.POST.get("object", "")
        obj = self.transition_target(kind, int(raw)) if kind in WORKFLOWS and raw.isdigit() else None
        if obj is None:
            raise Http404
        transition = WORKFLOWS[kind].transitions.get(name)
        if transition is None or request.user.role not in transition.roles:
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        form = TransitionForm(transition, obj, request.POST, user=request.user)
        if request.POST.get("revise"):
            # Back from the confirmation to the form, everything typed kept.
            form.is_valid()
            return self.render_page(bound={(kind, obj.pk, name): form})
        if form.is_valid() and transition.confirm and not request.POST.get("confirmed"):
            error = services.refusal(kind, obj, request.user, name, form.cleaned_data["opinion"], form.extra)
            if error is None:
                return self._confirmation(request, obj, transition, form)
            form.apply_error(error)
        elif form.is_valid():
            try:
                services.transition(kind, obj, request.user, name, form.cleaned_data["opinion"],
                                    expected_state=form.cleaned_data["expected_state"], extra=form.extra)
            except StaleStateError as e:
                messages.error(request, e.message)
                extra = {"unsent_opinion": form.cleaned_data["opinion"]}
                if kind == "rectification":
                    # Someone else answered first: their answer beside this person's, nothing lost.
                    obj.refresh_from_db()
                    extra["rectification_conflict"] = services.answer_conflict(obj, form.cleaned_data["opinion"])
                return self.render_page(status=409, **extra)
            except TransitionError as e:
                form.apply_error(e)
                form = self._refreshed(kind, obj, transition, form, request)
            else:
                obj.refresh_from_db()
                messages.success(request, _("已执行“%(action)s”，状态现为“%(state)s”。") % {
                    "action": transition.label, "state": STATE_TABLES[kind][obj.state].label})
                return redirect(request.path)
        messages.error(request, _("“%(action)s”未执行，请按提示修改后重新提交。") % {"action": transition.label})
        return self.render_page(status=400, bound={(kind, obj.pk, name): form})

    def _refreshed(self, kind, obj, transition, form, request):
        """After a refusal because someone else saved the answer meanwhile, the form carries the version
        the user has now seen (shown at the field), so that saving again after merging goes through."""
        if "loaded" not in transition.inputs:
            return form
        obj.refresh_from_db()
        if services.answer_conflict(obj, form.cleaned_data.get("opinion"), form.cleaned_data.get("loaded")) is None:
            return form
        data = request.POST.copy()
        data[form.add_prefix("loaded")] = services.answer_version(obj)
        fresh = TransitionForm(transition, obj, data, user=request.user)
        fresh.is_valid()
        for name, errors in form.errors.items():
            for message in errors:
                if message not in fresh.errors.get(name, []):
                    fresh.add_error(name if name in fresh.fields else None, message)
        return fresh

    def _confirmation(self, request, obj, transition, form):
        """A step that cannot be undone: show the letter it issues, watermarked, and ask once more."""
        opinion, extra = form.cleaned_data["opinion"], numbers.with_number(transition, form.extra, request.user)
        subject, body = previews.message(obj, transition, opinion, extra)
        return render(request, "zones/confirm.html", {
            "zone": obj, "transition": transition, "form": form, "action_url": request.path,
            "letter": previews.letter(obj, request.user, transition, opinion, extra),
            "message_subject": subject, "message_body": body,
            # The number the preview shows is the one confirmed (refused then if taken meanwhile).
            "document_number": extra.get("document_number", ""),
        })


# --- the zone's page ----------------------------------------------------------------------------

CHARTS = (
    ("gross_output", "output_target", _("工业总产值（亿元）")),
    ("patented_sales", "patented_sales_target", _("专利产品销售收入（亿元）")),
    ("rd_spending", "rd_target", _("企业研发总投入（亿元）")),
    ("industry_patents", "patents_target", _("产业专利拥有量（件）")),
)


def indicator_charts(page, user):
    """One SVG per indicator (actual against the plan's target) and per guide ratio (against 85% / 5%),
    each with the rows of the table shown beside it."""
    counted = counted_states(user)
    years = [y.year for y in page.years]
    states = {s.year: s.state for s in page.indicator_sets}

    def value(y, name):
        return y.figures.get(name) if states.get(y.year) in counted else None

    out = []
    for i, (field, target, label) in enumerate(CHARTS):
        actual = [value(y, field) for y in page.years]
        planned = [y.targets.get(target) for y in page.years]
        out.append(_chart(f"chart-{i}", str(label), years, actual, planned, _("实际"), _("规划目标")))
    shares = [(_share(y, "patented_sales") if states.get(y.year) in counted else None) for y in page.years]
    out.append(_chart("chart-ps", str(_("专利产品销售收入占工业总产值比例（%）")), years, shares,
                      [Decimal("85")] * len(years), _("实际"), _("指南目标 85%")))
    rd = [(_share(y, "rd_spending") if states.get(y.year) in counted else None) for y in page.years]
    out.append(_chart("chart-rd", str(_("企业研发总投入占工业总产值比例（%）")), years, rd,
                      [Decimal("5")] * len(years), _("实际"), _("指南目标 高于5%")))
    return out


def _share(year_figures, field):
    return year_figures.patented_sales_share_shown if field == "patented_sales" else year_figures.rd_share_shown


def _chart(chart_id, title, years, actual, planned, actual_label, target_label):
    described = "; ".join(f"{y}: {a if a is not None else '—'} / {p if p is not None else '—'}"
                          for y, a, p in zip(years, actual, planned, strict=False))
    return {"id": chart_id, "title": title,
            "svg": charts.line_chart(chart_id, title, described, years, actual, planned, str(actual_label),
                                     str(target_label)),
            "rows": list(zip(years, actual, planned, strict=False)), "actual_label": actual_label,
            "target_label": target_label}


class ZoneDetailView(CachedPageMixin, _ZonePage):
    """What is due and late, the timeline of reports, indicators, inspections and acceptance, and charts."""

    template_name = "zones/detail.html"

    def transition_target(self, kind, pk):
        if kind == "rectification":
            return queries.zone_rectification(self.zone, pk)
        return super().transition_target(kind, pk)

    def context(self, bound=None, study_form=None, **extra):
        user = self.request.user
        page = queries.zone_page(self.zone)
        rect_actions = {r.pk: _actions("rectification", r, user, bound) for r in page.open_rectifications}
        counted = counted_states(user)
        by_year = {y.year: y for y in page.years}
        report_rows = [{"report": r, "overdue": queries.is_overdue(r, page.today), "badge": REPORT_STATES[r.state].badge}
                       for r in page.started_reports]
        indicator_rows = [{"set": s, "overdue": queries.is_overdue(s, page.today),
                           "badge": INDICATOR_STATES[s.state].badge, "counted": s.state in counted,
                           "ps": _share(by_year[s.year], "patented_sales"), "rd": _share(by_year[s.year], "rd_spending")}
                          for s in page.indicator_sets]
        return {
            "report_rows": report_rows, "indicator_rows": indicator_rows,
            **extra, "page": page, "zone_actions": _actions("zone", self.zone, user, bound),
            "rectification_actions": rect_actions, "charts": indicator_charts(page, user),
            "counted": counted_states(user), "zone_badge": ZONE_STATES[self.zone.state].badge,
            "report_states": REPORT_STATES, "indicator_states": INDICATOR_STATES,
            "rectification_states": RECTIFICATION_STATES,
            "study_form": study_form or (StudyForm() if user.has_perm("portal.upload_zone_study", self.zone) else None),
            "may_inspect": user.has_perm("portal.supervise_zone", self.zone),
        }

    def post_action(self, request, action):
        if action != "study" or not request.user.has_perm("portal.upload_zone_study", self.zone):
            raise PermissionDenied
        form = StudyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.upload_study(self.zone, request.user, form.cleaned_data["file"],
                                      title=form.cleaned_data["title"], institution=form.cleaned_data["institution"])
            except Refused as e:
                form.add_error(e.field_errors and "file" or None, e.message)
            else:
                messages.success(request, _("第三方跟踪研究报告已上传。"))
                return redirect(request.path)
        return self.render_page(status=400, study_form=form)


class MyZoneView(RolePermissionMixin, View):
    """The applicant's zone page, or its workspace while it has none."""

    permission_required = "portal.applicant_workspace"

    def get(self, request):
        zone = queries.own_zone_for(request.user)
        return redirect("zones:detail", pk=zone.pk) if zone else redirect("applications:workspace")


class ApplicationZoneView(RolePermissionMixin, View):
    """From an approved application to its zone (404 when there is none or it is out of scope)."""

    permission_required = "portal.view_zone_list"
    not_found_when_denied = True

    def get(self, request, pk):
        application = visible_application(request.user, pk)
        zone = get_object_or_404(queries.zones_for(request.user), application=application)
        return redirect("zones:detail", pk=zone.pk)


class ZoneIndexView(CachedPageMixin, RolePermissionMixin, View):
    """The province's zones or, for the national office, every zone: status against the targets,
    overdue reports, open rectifications, and the distribution by province and region."""

    permission_required = "portal.view_zone_list"

    def get(self, request):
        if request.user.role == Role.APPLICANT:
            return redirect("zones:mine")
        filterset, filtered = filtered_zones(request.user, request.GET, queries.zones_for(request.user))
        table = None
        if filtered is not None:
            try:
                table = queries.zone_table_page(request.user, filtered, request.GET.get("page") or 1)
            except InvalidPage as e:
                # As the other paginated pages (ListView): a page that is not there is not found.
                raise Http404 from e
        todo = list(queries.indicators_to_confirm(request.user)) if request.user.role == Role.PROVINCIAL else []
        query = request.GET.copy()
        query.pop("page", None)
        rows = table.rows if table else []
        return render(request, "zones/index.html", {
            "rows": rows, "rows_html": tables.rows_html(rows), "filter": filterset,
            "distribution": table.distribution if table else None,
            "page_obj": table.page if table else None, "is_paginated": bool(table and table.page.has_other_pages()),
            "query": query.urlencode(), "to_confirm": todo, "target_keys": queries.TARGET_KEYS})


# --- quarterly reports --------------------------------------------------------------------------


class ReportView(_ZonePage):
    template_name = "zones/report.html"

    def get_report(self):
        if not hasattr(self, "report"):
            self.report = queries.zone_report(self.zone, self.kwargs["report_pk"])
        return self.report

    def transition_target(self, kind, pk):
        report = self.get_report()
        return report if kind == "report" and pk == report.pk else None

    def context(self, bound=None, form=None, upload_form=None, loaded=None, **extra):
        user, report = self.request.user, self.get_report()
        owner = user.has_perm("portal.own_zone", self.zone)
        editable = owner and REPORT_STATES[report.state].owner_may_edit and report.period_start <= timezone.localdate()
        return {
            **extra, "report": report, "owner": owner, "editable": editable,
            "form": form or (ReportForm(instance=report) if editable else None),
            "loaded_token": loaded or services.report_version(report),
            "upload_form": upload_form or (UploadForm() if editable else None),
            "attachments": report.attachments.filter(withdrawn_at__isnull=True) if owner else [],
            "versions": queries.report_versions(report), "actions": _actions("report", report, user, bound),
            "log": report.log.select_related("actor", "actor_organisation"), "badge": REPORT_STATES[report.state].badge,
            "overdue": queries.is_overdue(report, timezone.localdate()), "task_labels": _task_labels(),
        }

    def post_action(self, request, action):
        report = self.get_report()
        if action == "save":
            return self.save_draft(
                ReportForm(request.POST, instance=queries.zone_report(self.zone, report.pk)),
                lambda data, **kw: services.save_report(report, request.user, data, **kw),
                lambda: queries.zone_report(self.zone, report.pk), _("草稿已保存。"))
        if action == "attach":
            return self.attach(lambda file, title: services.attach_to_report(report, request.user, file, title),
                               _("附件已上传。"))
        if action == "withdraw":
            item = get_object_or_404(report.attachments.all(), pk=request.POST.get("file") or 0)
            try:
                services.withdraw_file(item, request.user)
                messages.success(request, _("附件已撤回。"))
            except Refused as e:
                messages.error(request, e.message)
            return redirect(request.path)
        raise Http404


def _task_labels():
    return [(name, Application._meta.get_field(name).verbose_name) for name in TASKS]


# --- annual core indicators ---------------------------------------------------------------------


class IndicatorView(_ZonePage):
    template_name = "zones/indicators.html"

    def get_set(self):
        if not hasattr(self, "indicator_set"):
            self.indicator_set = queries.zone_indicator_set(self.zone, self.kwargs["year"])
        return self.indicator_set

    def transition_target(self, kind, pk):
        item = self.get_set()
        return item if kind == "indicators" and pk == item.pk else None

    def context(self, bound=None, form=None, upload_form=None, loaded=None, **extra):
        user, item = self.request.user, self.get_set()
        owner = user.has_perm("portal.own_zone", self.zone)
        editable = owner and INDICATOR_STATES[item.state].owner_may_edit
        page = queries.zone_page(self.zone)
        figures = next((y for y in page.years if y.year == item.year), None)
        shown = owner or item.state in counted_states(user)
        return {
            **extra, "item": item, "owner": owner, "editable": editable, "figures": figures if shown else None,
            "form": form or (IndicatorForm(instance=item) if editable else None),
            "loaded_token": loaded or services.indicator_version(item),
            "upload_form": upload_form or (UploadForm() if editable else None),
            "evidence": [e for e in item.evidence.all() if e.withdrawn_at is None] if shown else [],
            "actions": _actions("indicators", item, user, bound), "badge": INDICATOR_STATES[item.state].badge,
            "log": item.log.select_related("actor", "actor_organisation"),
            "overdue": queries.is_overdue(item, timezone.localdate()),
            "rows": queries.figure_rows(item, figures) if shown else [],
        }

    def post_action(self, request, action):
        item = self.get_set()
        if action == "save":
            return self.save_draft(
                IndicatorForm(request.POST, instance=queries.zone_indicator_set(self.zone, item.year)),
                lambda data, **kw: services.save_indicators(item, request.user, data, **kw),
                lambda: queries.zone_indicator_set(self.zone, item.year), _("核心指标已保存。"))
        if action == "attach":
            return self.attach(lambda file, title: services.attach_to_indicators(item, request.user, file, title),
                               _("证明材料已上传。"))
        raise Http404


# --- supervision ----------------------------------------------------------------------------------


class InspectionView(_ZonePage):
    template_name = "zones/inspection.html"
    permission_required = ("portal.view_zone", "portal.supervise_zone")

    def context(self, form=None, **extra):
        return {**extra, "form": form or InspectionForm(initial={"inspected_on": timezone.localdate()})}

    def post_action(self, request, action):
        form = InspectionForm(request.POST)
        if form.is_valid():
            try:
                services.record_inspection(self.zone, request.user, **form.cleaned_data)
            except Refused as e:
                for name, message in e.field_errors.items():
                    form.add_error(name if name in form.fields else None, message)
                if not e.field_errors:
                    form.add_error(None, e.message)
            else:
                messages.success(request, _("监督检查记录已保存。"))
                return redirect("zones:detail", pk=self.zone.pk)
        return self.render_page(status=400, form=form)


class FileView(RolePermissionMixin, View):
    """A zone's file, streamed only to whoever may see it (404 otherwise)."""

    permission_required = "portal.view_zone_file"
    not_found_when_denied = True

    def get_permission_object(self):
        if not hasattr(self, "item"):
            self.item = queries.file_for(self.request.user, self.kwargs["pk"])
        return self.item

    def get(self, request, pk):
        item = self.item
        response = FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=True,
                                filename=item.original_name)
        response["Cache-Control"] = "private, no-store"
        return response


# --- 总结验收 -------------------------------------------------------------------------------------


class AcceptanceView(_ZonePage):
    """The zone's acceptance: the 总结报告 and materials (the city), expert assignments, every score
    with names and the decision (national staff), the decisions and the 验收意见 (everyone in scope)."""

    template_name = "zones/acceptance.html"

    def context(self, bound=None, form=None, upload_form=None, assign_form=None, **extra):
        user, zone = self.request.user, self.zone
        rounds = list(zone.acceptance_rounds.order_by("number"))
        current = rounds[-1] if rounds else None
        owner = user.has_perm("portal.own_zone", zone)
        editable = owner and zone.state in (ZoneState.CONSTRUCTION, ZoneState.RECTIFYING) and (
            current is None or not current.decision or zone.state == ZoneState.RECTIFYING)
        draft = current if current and not current.decision else None
        ctx = {**extra, "rounds": rounds, "current": current, "owner": owner, "editable": editable,
               "actions": _actions("zone", zone, user, bound), "zone_badge": ZONE_STATES[zone.state].badge,
               "form": form or (SummaryForm(initial={"summary": draft.summary if draft else ""},
                                            label=_("整改报告") if zone.state == ZoneState.RECTIFYING else None)
                                if editable else None),
               "upload_form": upload_form or (UploadForm() if editable else None),
               "files": {r.pk: list(r.files.filter(withdrawn_at__isnull=True)) for r in rounds},
               "manage": user.has_perm("portal.manage_acceptance", zone)}
        if ctx["manage"] and current is not None:
            criteria = acceptance.ensure_rubric(current) if zone.state == ZoneState.ACCEPTANCE_REVIEW else list(
                current.criteria.all())
            assignments = list(queries.round_assignments(current))
            ctx.update(criteria=criteria, assignments=assignments, max_total=acceptance.max_total(criteria),
                       aggregate=acceptance.aggregate(current, assignments, criteria),
                       lines=[(line, [line.values.get(c.pk) for c in criteria])
                              for line in acceptance.aggregate(current, assignments, criteria).lines],
                       assign_form=assign_form or AutoAssignForm(initial={"per_round": current.experts_per_round}))
        ctx["decided"] = any(r.decision for r in rounds)
        return ctx

    def post_action(self, request, action):
        zone = self.zone
        if action == "summary":
            form = SummaryForm(request.POST)
            if not form.is_valid():
                return self.render_page(status=400, form=form)
            try:
                services.save_acceptance_summary(zone, request.user, form.cleaned_data["summary"])
            except Refused as e:
                form.add_error("summary", e.message)
                return self.render_page(status=400, form=form)
            messages.success(request, _("总结验收材料已保存。"))
        elif action == "attach":
            upload = UploadForm(request.POST, request.FILES)
            if not upload.is_valid():
                return self.render_page(status=400, upload_form=upload)
            try:
                services.attach_to_acceptance(zone, request.user, upload.cleaned_data["file"],
                                              upload.cleaned_data["title"])
            except Refused as e:
                upload.add_error("file", e.message)
                return self.render_page(status=400, upload_form=upload)
            messages.success(request, _("材料已上传。"))
        elif action == "auto_assign":
            if not request.user.has_perm("portal.manage_acceptance", zone):
                raise PermissionDenied
            form = AutoAssignForm(request.POST)
            current = queries.current_round(zone)
            if not form.is_valid() or current is None:
                return self.render_page(status=400, assign_form=form)
            try:
                result = acceptance.auto_assign(current, request.user, form.cleaned_data["per_round"],
                                                form.cleaned_data["deadline"])
            except Refused as e:
                form.add_error(None, e.message)
                return self.render_page(status=400, assign_form=form)
            messages.success(request, _("已分配 %(n)s 位专家。") % {"n": len(result.created)})
            if result.missing:
                messages.warning(request, _("还差 %(n)s 位无利益冲突的专家。") % {"n": result.missing})
        else:
            raise Http404
        return redirect(request.path)


class _OwnAcceptanceAssignment(RolePermissionMixin, View):
    permission_required = "portal.expert_workspace"
    not_found_when_denied = True

    def get_assignment(self):
        if not hasattr(self, "assignment"):
            self.assignment = get_object_or_404(queries.acceptance_assignments_for_expert(self.request.user),
                                                pk=self.kwargs["pk"])
        return self.assignment


class AcceptanceAssignmentView(_OwnAcceptanceAssignment):
    """Before the materials are opened: the zone, the deadline, declaring a conflict."""

    def render_page(self, form=None, status=200):
        a = self.get_assignment()
        return render(self.request, "zones/acceptance_assignment.html", {
            "assignment": a, "zone": a.round.zone, "form": form or ReasonForm(label=_("回避理由")),
            "can_declare": a.status == AssignmentStatus.ASSIGNED and a.opened_at is None}, status=status)

    def get(self, request, pk):
        return self.render_page()

    def post(self, request, pk):
        form = ReasonForm(request.POST, label=_("回避理由"))
        if form.is_valid():
            try:
                acceptance.declare_conflict(self.get_assignment(), request.user, form.cleaned_data["reason"])
            except Refused as e:
                form.add_error("reason", e.message)
            else:
                messages.success(request, _("已申明回避，该评审任务已撤回。"))
                return redirect("review:expert_workspace")
        return self.render_page(form=form, status=400)


class AcceptanceScoreView(_OwnAcceptanceAssignment):
    """The zone's 总结报告， final figures and materials, read-only, and the expert's own score."""

    def criteria(self):
        return acceptance.ensure_rubric(self.get_assignment().round)

    def render_page(self, form=None, status=200):
        a = self.get_assignment()
        round_, zone = a.round, a.round.zone
        criteria = self.criteria()
        score = getattr(a, "score", None)
        if form is None:
            form = AcceptanceScoreForm(initial=AcceptanceScoreForm.initial_for(score, criteria), criteria=criteria)
        page = queries.zone_page(zone, confirmed_only=True)
        return render(self.request, "zones/acceptance_score.html", {
            "assignment": a, "round": round_, "zone": zone, "criteria": criteria, "form": form, "score": score,
            "locked": bool(score and score.locked), "max_total": acceptance.max_total(criteria),
            "years": page.years, "targets": page.targets, "files": round_.files.filter(withdrawn_at__isnull=True),
            "previous": list(zone.acceptance_rounds.filter(number__lt=round_.number, decision__gt=""))}, status=status)

    def get(self, request, pk):
        acceptance.record_opened(self.get_assignment())
        return self.render_page()

    def post(self, request, pk):
        a = self.get_assignment()
        criteria = self.criteria()
        final = "submit" in request.POST
        form = AcceptanceScoreForm(request.POST, criteria=criteria, final=final)
        if form.is_valid():
            try:
                acceptance.save_score(a, request.user, form.values(), form.cleaned_data["recommendation"],
                                      form.cleaned_data["comment"], final=final)
            except Refused as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("评分已提交并锁定。") if final else _("草稿已保存。"))
                return redirect("review:expert_workspace") if final else redirect(request.path)
        return self.render_page(form=form, status=400)


# --- exchange activities --------------------------------------------------------------------------


class ActivityListView(RolePermissionMixin, View):
    permission_required = "portal.view_activities"

    def render_page(self, form=None, status=200):
        user = self.request.user
        may_publish = user.has_perm("portal.publish_activity")
        if may_publish and form is None:
            form = ActivityForm(zones=queries.zones_for(user))
        return render(self.request, "zones/activities.html", {
            "activities": queries.activities_for(user), "form": form if may_publish else None}, status=status)

    def get(self, request):
        return self.render_page()

    def post(self, request):
        if not request.user.has_perm("portal.publish_activity"):
            raise PermissionDenied
        form = ActivityForm(request.POST, zones=queries.zones_for(request.user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = services.publish_activity(
                    request.user, title=data["title"], body=data["body"], starts_at=data["starts_at"],
                    place=data["place"], registration_deadline=data["registration_deadline"], zones=data["zones"])
            except Refused as e:
                for name, message in e.field_errors.items():
                    form.add_error(name if name in form.fields else None, message)
                if not e.field_errors:
                    form.add_error(None, e.message)
            else:
                messages.success(request, _("活动通知已发布。"))
                return redirect("zones:activity", pk=activity.pk)
        return self.render_page(form=form, status=400)


class ActivityView(RolePermissionMixin, View):
    permission_required = "portal.view_activities"
    not_found_when_denied = True

    def get_permission_object(self):
        if not hasattr(self, "activity"):
            self.activity = queries.visible_activity(self.request.user, self.kwargs["pk"])
        return self.activity

    def render_page(self, form=None, status=200):
        user, activity = self.request.user, self.activity
        own = queries.own_registration(activity, user.organisation) if user.organisation_id else None
        may_register = user.role in (Role.APPLICANT, Role.PROVINCIAL)
        return render(self.request, "zones/activity.html", {
            "activity": activity, "own": own,
            "form": form or (RegistrationForm(initial={"attendees": own.attendees if own else ""})
                             if may_register else None),
            "registrations": queries.registrations(activity) if user.role == Role.NATIONAL else None}, status=status)

    def get(self, request, pk):
        return self.render_page()

    def post(self, request, pk):
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                services.register_attendees(self.activity, request.user, form.cleaned_data["attendees"])
            except Refused as e:
                form.add_error("attendees", e.message)
            else:
                messages.success(request, _("报名信息已保存。"))
                return redirect(reverse("zones:activity", args=[pk]))
        return self.render_page(form=form, status=400)
