"""Pages of the expert review. Experts reach only their own assignments (filtered by
expert=request.user, 404 otherwise); national staff manage panels, rubric, assignments and see
every score with names. Applicants and provinces never reach these pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.mixins import RolePermissionMixin
from applications.models import Call
from applications.queries import visible_application
from pagecache.pages import CachedPageMixin
from workflow import editing

from ..enums import AssignmentStatus
from . import aggregation, queries, services
from .exports import export_summary_xlsx
from .forms import AutoAssignForm, CriterionFormSet, ManualAssignForm, PanelForm, ReasonForm, ScoreForm
from .tables import assignment_rows_html

# ---------------------------------------------------------------------------------------------
# Expert side


class ExpertWorkspaceView(CachedPageMixin, RolePermissionMixin, ListView):
    """The expert's own assignments with deadline and status."""

    permission_required = "portal.expert_workspace"
    template_name = "review/experts/workspace.html"
    context_object_name = "assignments"

    def get_queryset(self):
        return queries.assignment_summaries_for_expert(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["now"] = timezone.now()
        ctx["rows_html"] = assignment_rows_html(ctx["assignments"], ctx["now"])
        ctx["sections"] = queries.workspace_sections(self.request.user)
        return ctx


class _OwnAssignmentMixin(RolePermissionMixin):
    permission_required = "portal.expert_workspace"

    def get_assignment(self):
        if not hasattr(self, "_assignment"):
            qs = queries.assignments_for_expert(self.request.user)
            self._assignment = get_object_or_404(qs, pk=self.kwargs["pk"])
        return self._assignment


class AssignmentView(CachedPageMixin, _OwnAssignmentMixin, TemplateView):
    """The assignment before the plan is opened: who applied, the deadline, declaring a conflict."""

    template_name = "review/experts/assignment.html"

    def get_assignment(self):
        if self.request.method != "GET":
            return super().get_assignment()  # a change reads the whole row
        if not hasattr(self, "_assignment"):
            qs = queries.assignment_summaries_for_expert(self.request.user)
            self._assignment = get_object_or_404(qs, pk=self.kwargs["pk"])
        return self._assignment

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        assignment = self.get_assignment()
        ctx.update(assignment=assignment, application=assignment.application,
                   conflict_form=kwargs.get("conflict_form") or ReasonForm(label=_("回避理由")),
                   can_declare=assignment.status == AssignmentStatus.ASSIGNED and assignment.opened_at is None)
        return ctx

    def post(self, request, *args, **kwargs):
        assignment = self.get_assignment()
        form = ReasonForm(request.POST, label=_("回避理由"))
        if form.is_valid():
            try:
                services.declare_conflict(assignment, request.user, form.cleaned_data["reason"])
            except services.ExpertReviewError as exc:
                form.add_error("reason", str(exc))
            else:
                messages.success(request, _("已申明回避,该评审任务已撤回。"))
                return redirect("review:expert_workspace")
        return self.render_to_response(self.get_context_data(conflict_form=form), status=200)


class OpenPlanView(_OwnAssignmentMixin, View):
    """Opening the 建设方案 is an explicit action (POST): from then on no conflict can be declared. A page
    that is merely loaded (a GET, a link preview, a prefetch) never opens it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        assignment = self.get_assignment()
        try:
            services.open_plan(assignment, request.user)
        except services.ExpertReviewError as exc:
            messages.error(request, str(exc))
            return redirect("experts:assignment", pk=assignment.pk)
        return redirect("experts:score", pk=assignment.pk)


class ScoreView(_OwnAssignmentMixin, TemplateView):
    """The read-only 建设方案 and the score form, once the expert opened the plan (OpenPlanView);
    before that, both GET and POST lead back to the assignment page."""

    template_name = "review/experts/score.html"

    def criteria(self):
        return services.ensure_rubric(self.get_assignment().application.call)

    def score(self):
        return queries.own_score(self.get_assignment())

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission() and self.get_assignment().opened_at is None:
            messages.info(request, _("请先确认查看建设方案。查看后将不能再申明回避。"))
            return redirect("experts:assignment", pk=self.get_assignment().pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        assignment = self.get_assignment()
        criteria = kwargs.get("criteria") or self.criteria()
        score = self.score()
        form = kwargs.get("form") or ScoreForm(initial=ScoreForm.initial_for(score, criteria), criteria=criteria)
        values = {item.criterion_id: item.value for item in score.items.all()} if score else {}
        ctx.update(queries.plan_for_scoring(assignment.application))
        ctx.update(
            assignment=assignment, application=assignment.application, criteria=criteria, score=score, form=form,
            locked=bool(score and score.locked), max_total=services.max_total(criteria),
            score_rows=[(c, values.get(c.pk)) for c in criteria],
            total=aggregation.weighted_total((c.weight, values[c.pk]) for c in criteria if c.pk in values),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        assignment = self.get_assignment()
        criteria = self.criteria()
        score = self.score()
        if score is not None and score.locked:
            messages.error(request, _("评分已提交并锁定,不能修改。如需更正,请联系国家局工作人员重新开放。"))
            return redirect("experts:score", pk=assignment.pk)
        final = "submit" in request.POST
        form = ScoreForm(request.POST, criteria=criteria, final=final)
        if form.is_valid():
            try:
                services.save_score(assignment, request.user, form.values(), form.cleaned_data["recommendation"],
                                   form.cleaned_data["comment"], final=final)
            except services.ExpertReviewError as exc:
                form.add_error(None, str(exc))
            else:
                if final:
                    messages.success(request, _("评分已提交并锁定。"))
                    return redirect("review:expert_workspace")
                messages.success(request, _("草稿已保存。"))
                return redirect("experts:score", pk=assignment.pk)
        return self.render_to_response(self.get_context_data(form=form, criteria=criteria))


# ---------------------------------------------------------------------------------------------
# National side


class _NationalMixin(RolePermissionMixin):
    permission_required = "portal.manage_expert_review"

    def get_call(self):
        if not hasattr(self, "_call"):
            self._call = get_object_or_404(Call, pk=self.kwargs["call_pk"])
        return self._call


class IndexView(_NationalMixin, TemplateView):
    """Every call with the state of its expert review."""

    template_name = "review/experts/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["calls"] = queries.calls_overview()
        return ctx


class ExpertListView(_NationalMixin, ListView):
    """Expert profiles: name, organisation, home province, field, contact."""

    template_name = "review/experts/expert_list.html"
    context_object_name = "profiles"
    paginate_by = 50

    def get_queryset(self):
        return queries.expert_profiles()


class PanelView(_NationalMixin, TemplateView):
    template_name = "review/experts/panel.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        call = self.get_call()
        ctx["call"] = call
        ctx["form"] = kwargs.get("form") or PanelForm(
            initial={"experts": list(call.panel.values_list("expert_id", flat=True))})
        ctx["loaded_token"] = kwargs.get("loaded") or services.panel_version(call)
        ctx["conflict"] = kwargs.get("conflict")
        return ctx

    def post(self, request, *args, **kwargs):
        call = self.get_call()
        form = PanelForm(request.POST)
        loaded = request.POST.get(editing.TOKEN_FIELD) or None
        if form.is_valid():
            try:
                services.set_panel(call, form.cleaned_data["experts"], loaded=loaded)
            except editing.EditConflict as conflict:
                messages.error(request, conflict.message)
                return self.render_to_response(self.get_context_data(
                    form=PanelForm(conflict.data(request.POST)), loaded=conflict.token, conflict=conflict), status=409)
            except services.ExpertReviewError as exc:
                form.add_error("experts", exc.field_errors.get("experts", exc.message))
            else:
                messages.success(request, _("评审专家组已保存。"))
                return redirect("experts:panel", call_pk=call.pk)
        return self.render_to_response(self.get_context_data(form=form, loaded=loaded))


class RubricView(_NationalMixin, TemplateView):
    template_name = "review/experts/rubric.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        call = self.get_call()
        services.ensure_rubric(call)
        ctx["call"] = call
        ctx["locked"] = queries.rubric_locked(call)
        ctx["criteria"] = queries.criteria(call)
        ctx["max_total"] = services.max_total(ctx["criteria"])
        ctx["formset"] = kwargs.get("formset") or CriterionFormSet(queryset=queries.criteria(call))
        ctx["loaded_token"] = kwargs.get("loaded") or services.rubric_version(call)
        ctx["conflict"] = kwargs.get("conflict")
        return ctx

    def post(self, request, *args, **kwargs):
        call = self.get_call()
        if queries.rubric_locked(call):
            messages.error(request, _("已有专家评分,评分标准不能再修改。"))
            return redirect("experts:rubric", call_pk=call.pk)
        formset = CriterionFormSet(request.POST, queryset=queries.criteria(call))
        loaded = request.POST.get(editing.TOKEN_FIELD) or None
        if formset.is_valid():
            try:
                services.save_rubric(call, formset, loaded=loaded)
            except editing.EditConflict as conflict:
                messages.error(request, conflict.message)
                formset = CriterionFormSet(conflict.data(request.POST), queryset=queries.criteria(call))
                formset.is_valid()
                return self.render_to_response(self.get_context_data(
                    formset=formset, loaded=conflict.token, conflict=conflict), status=409)
            except services.ExpertReviewError as exc:
                formset._non_form_errors = formset.error_class([exc.message])
            else:
                messages.success(request, _("评分标准已保存。"))
                return redirect("experts:rubric", call_pk=call.pk)
        return self.render_to_response(self.get_context_data(formset=formset, loaded=loaded))


class AssignmentsView(_NationalMixin, TemplateView):
    """Assignments of the call: automatic for all, one by one, withdrawing; expert loads."""

    template_name = "review/experts/assignments.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        call = self.get_call()
        panel = list(queries.panel_experts(call))
        load = queries.loads(call)
        ctx.update(
            call=call,
            rows=queries.assignment_rows(call),
            panel=[(e, load.get(e.pk, 0)) for e in panel],
            auto_form=kwargs.get("auto_form") or AutoAssignForm(initial={
                "per_application": call.experts_per_application,
                "deadline": timezone.localtime(call.expert_deadline).strftime("%Y-%m-%dT%H:%M")
                if call.expert_deadline else None}),
            manual_form=kwargs.get("manual_form") or ManualAssignForm(call=call),
            stage_closed=aggregation.stage_closed(call),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        call = self.get_call()
        action = request.POST.get("action")
        if action == "auto":
            form = AutoAssignForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(auto_form=form))
            result = services.auto_assign(call, form.cleaned_data["per_application"], by=request.user,
                                         deadline=form.cleaned_data["deadline"])
            messages.success(request, _("已自动分配 %(n)s 项评审任务。") % {"n": len(result.created)})
            for app, missing in result.shortages.items():
                messages.warning(request, _("“%(zone)s”还差 %(n)s 位无利益冲突的专家,请扩充专家组。") % {
                    "zone": app, "n": missing})
        elif action == "manual":
            form = ManualAssignForm(request.POST, call=call)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(manual_form=form))
            try:
                services.assign(form.cleaned_data["application"], form.cleaned_data["expert"], by=request.user)
            except services.ExpertReviewError as exc:
                form.add_error("expert", str(exc))
                return self.render_to_response(self.get_context_data(manual_form=form))
            messages.success(request, _("已分配。"))
        elif action == "withdraw":
            raw = request.POST.get("assignment") or ""
            assignment = queries.call_assignment(call, int(raw)) if raw.isdigit() else None
            if assignment is None:
                messages.error(request, _("请选择要撤回的任务。"))
            else:
                try:
                    services.withdraw(assignment, request.user)
                    messages.success(request, _("已撤回。"))
                except services.ExpertReviewError as exc:
                    messages.error(request, str(exc))
        return redirect("experts:assignments", call_pk=call.pk)


class ApplicationScoresView(RolePermissionMixin, TemplateView):
    """Every criterion per expert for one application, with the aggregates; reopening a score."""

    permission_required = "portal.manage_expert_review"
    template_name = "review/experts/application_scores.html"

    def get_application(self):
        return visible_application(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        application = self.get_application()
        criteria = services.ensure_rubric(application.call)
        agg = aggregation.aggregate_applications([application], {application.call_id: criteria})[0]
        ctx.update(
            application=application, criteria=criteria, agg=agg, max_total=services.max_total(criteria),
            criterion_means=[(c, agg.criterion_mean(c)) for c in criteria],
            lines=[(line, [line.values.get(c.pk) for c in criteria]) for line in agg.lines],
            reopen_form=kwargs.get("reopen_form") or ReasonForm(label=_("重新开放理由")),
            reopen_target=kwargs.get("reopen_target"),
            reopenings=queries.reopenings(application),
            pending=queries.pending_assignments(application),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        application = self.get_application()
        raw = request.POST.get("score") or ""
        score = queries.application_score(application, int(raw)) if raw.isdigit() else None
        if raw.isdigit() and score is None:
            raise Http404
        form = ReasonForm(request.POST, label=_("重新开放理由"))
        if score is None:
            messages.error(request, _("请选择要重新开放的评分。"))
            return redirect("experts:application_scores", pk=application.pk)
        if form.is_valid():
            try:
                services.reopen_score(score, request.user, form.cleaned_data["reason"])
            except services.ExpertReviewError as exc:
                form.add_error("reason", str(exc))
            else:
                messages.success(request, _("评分已重新开放,专家可修改后再次提交。"))
                return redirect("experts:application_scores", pk=application.pk)
        return self.render_to_response(self.get_context_data(reopen_form=form, reopen_target=score.pk))


class RankingView(_NationalMixin, TemplateView):
    template_name = "review/experts/ranking.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        call = self.get_call()
        ctx.update(call=call, ranking=aggregation.ranking(call), stage_closed=aggregation.stage_closed(call),
                   max_total=services.max_total(services.ensure_rubric(call)))
        return ctx


class SummaryXlsxView(_NationalMixin, TemplateView):
    """专家评分汇总表 as XLSX (small; built in the request)."""

    def get(self, request, *args, **kwargs):
        call = self.get_call()
        content = export_summary_xlsx(call, request.user)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="expert-score-summary-{call.pk}.xlsx"'
        return response
