"""Pipeline pages: the provincial and national workspaces, the formal review, the decision forms
(through the application page's panel) and the distribution table. Each view reads through
review.queries, changes through one service call, and renders."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.mixins import RolePermissionMixin
from applications.enums import ApplicationState as S
from applications.models import Call
from applications.queries import own_application, visible_application
from applications.submission import problems as submission_problems
from applications.views import ApplicationDetailView, section_nav
from pagecache.pages import CachedPageMixin
from workflow import editing

from . import numbers, previews, queries, services
from .filters import NationalQueueFilter, ProvincialQueueFilter
from .forms import FormalReviewForm, ProvinceDeadlineForm, RankingForm, TransitionForm, keep_refused
from .guards import FORMAL_CHECKLIST
from .tables import ProvincialQueueTable, national_groups
from .transitions import TRANSITIONS, StaleStateError, TransitionError, perform, refusal


class ProvincialWorkspaceView(CachedPageMixin, RolePermissionMixin, SingleTableMixin, FilterView):
    """The province's queue (filters and sorting) and its ranking of recommendations."""

    permission_required = "portal.provincial_workspace"
    template_name = "review/provincial_workspace.html"
    table_class = ProvincialQueueTable
    filterset_class = ProvincialQueueFilter
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return queries.provincial_queue_rows(self.request.user)

    def ranking_sections(self, bound=None):
        """One ranking form per call with recommendations; `bound` = (call pk, bound form)."""
        sections = []
        for section in queries.ranked_recommendations(self.request.user):
            call = section["call"]
            if bound and bound[0] == call.pk:
                form = bound[1]  # the refused submission, with its errors and typed values
            elif section["editable"] and not section["locked"]:
                form = RankingForm(section["editable"], prefix=f"call{call.pk}")
            else:
                form = None
            sections.append({**section, "form": form})
        return sections

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["state_counts"] = queries.state_counts(queries.provincial_queue(self.request.user))
        ctx["todo_count"] = queries.todo_count(ctx["state_counts"])
        ctx["ranking_sections"] = self.ranking_sections(getattr(self, "_bound_ranking", None))
        return ctx


class ProvincialRankingView(ProvincialWorkspaceView):
    """POST: save the province's ranking of its recommendations in one call."""

    http_method_names = ["post"]

    def post(self, request, call_pk):
        call = get_object_or_404(Call, pk=call_pk)
        form = RankingForm(queries.recommendations_to_rank(request.user, call), request.POST, prefix=f"call{call.pk}")
        if form.is_valid():
            try:
                services.set_ranking(request.user, call, form.ranks)
            except services.RankingError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("推荐排序已保存。"))
                return redirect("review:provincial_workspace")
        self._bound_ranking = (call.pk, form)
        # Re-render the workspace with the typed values and the errors.
        self.object_list = self.get_queryset()
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.object_list = self.filterset.qs
        return self.render_to_response(self.get_context_data(), status=400)


class ProvinceDeadlinesView(RolePermissionMixin, TemplateView):
    """The province's own earlier deadline for its cities, per open call (GET lists, POST sets one)."""

    permission_required = "portal.provincial_workspace"
    template_name = "review/province_deadlines.html"

    def get_context_data(self, bound=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = []
        for row in queries.province_deadlines(self.request.user):
            call, own = row["call"], row["own"]
            if bound and bound[0] == call.pk:
                form = bound[1]
            else:
                initial = {"deadline": timezone.localtime(own.deadline).date()} if own else {}
                form = ProvinceDeadlineForm(prefix=f"call{call.pk}", initial=initial)
            rows.append({**row, "form": form})
        ctx["rows"] = rows
        return ctx

    def post(self, request, call_pk):
        call = get_object_or_404(Call, pk=call_pk)
        form = ProvinceDeadlineForm(request.POST, prefix=f"call{call.pk}")
        if form.is_valid():
            deadline = None if "clear" in request.POST else form.deadline_at
            try:
                services.set_province_deadline(request.user, call, deadline)
            except services.DeadlineError as e:
                form.add_error("deadline" if "deadline" in e.field_errors else None, e.message)
            else:
                messages.success(request, _("省内截止时间已保存。") if deadline else _("已取消省内截止时间,以报送国家局的截止时间为准。"))
                return redirect("review:province_deadlines")
        return self.render_to_response(self.get_context_data(bound=(call.pk, form)), status=400)


class NationalWorkspaceView(CachedPageMixin, RolePermissionMixin, FilterView):
    """Forwarded applications grouped by province, with counts by stage and by province."""

    permission_required = "portal.national_workspace"
    template_name = "review/national_workspace.html"
    filterset_class = NationalQueueFilter
    context_object_name = "applications"
    paginate_by = 100

    def get_queryset(self):
        return queries.national_queue_rows(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["applications"] = queries.national_page_rows(ctx["applications"])
        ctx["groups"] = national_groups(ctx["applications"])
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query"] = query.urlencode()  # the filters, kept in the page links
        ctx["state_counts"] = queries.state_counts(queries.national_queue(self.request.user))
        ctx["province_counts"] = queries.province_counts(self.request.user)
        return ctx


class DistributionView(RolePermissionMixin, TemplateView):
    """五(一) 统筹确定实验区在全国的合理分布: approved and in review per province and region."""

    permission_required = "portal.national_workspace"
    template_name = "review/distribution.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        calls = queries.calls_newest_first()
        wanted = self.request.GET.get("call", "")
        call = next((c for c in calls if wanted.isdigit() and c.pk == int(wanted)), None) or (calls[0] if calls else None)
        ctx.update({"calls": calls, "call": call, **queries.distribution(self.request.user, call)})
        return ctx


class FormalReviewView(RolePermissionMixin, TemplateView):
    """材料审核: the checklist for the current version, saved per version."""

    permission_required = "portal.review_nationally"
    template_name = "review/formal_review.html"

    def get_application(self):
        if not hasattr(self, "_application"):
            self._application = visible_application(self.request.user, self.kwargs["pk"])
        return self._application

    def get_permission_object(self):
        return self.get_application()

    def get_context_data(self, form=None, loaded=None, conflict=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        application = self.get_application()
        review = queries.formal_review_of(application)
        ctx["loaded_token"] = loaded or services.formal_review_version(application)
        ctx["conflict"] = conflict
        if form is None:
            initial = dict(review.checklist) if review else {}
            initial["notes"] = review.notes if review else ""
            form = FormalReviewForm(initial=initial)
        editable = application.state == S.NATIONAL_REVIEW
        if not editable:
            for f in form.fields.values():
                f.disabled = True
        ctx.update({
            "application": application, "form": form, "review": review, "editable": editable,
            "checklist": FORMAL_CHECKLIST, "provincial_reviews": queries.provincial_reviews(application),
            # What the checklist judges, without clicking through: the submitted version's conditions
            # and evidence.
            **queries.submitted_materials(application),
        })
        return ctx

    def post(self, request, pk):
        application = self.get_application()
        form = FormalReviewForm(request.POST)
        loaded = request.POST.get(editing.TOKEN_FIELD) or None
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, loaded=loaded), status=400)
        try:
            services.save_formal_review(application, request.user, form.checklist, form.cleaned_data["notes"],
                                        loaded=loaded, form=form)
        except editing.EditConflict as conflict:
            messages.error(request, conflict.message)
            form = FormalReviewForm(conflict.data(request.POST))
            form.is_valid()
            return self.render_to_response(
                self.get_context_data(form=form, loaded=conflict.token, conflict=conflict), status=409)
        except services.FormalReviewError as e:
            messages.error(request, e.message)
            return redirect("review:formal_review", pk=application.pk)
        messages.success(request, _("材料审核清单已保存(第 %(v)s 版)。") % {"v": application.current_version})
        return redirect("review:formal_review", pk=application.pk)


class TransitionView(ApplicationDetailView):
    """POST one pipeline action from the application page's panel.

    On success: redirect back with a message. On a refusal: redirect back too (redirect-after-post,
    so a refresh never sends the action again), the typed values and the messages next to the inputs
    they concern kept in the session for the page's panel (review.forms.keep_refused). Someone else
    acting first (StaleStateError) shows the page as it is now with the unsent opinion (409).
    """

    http_method_names = ["post"]

    def post(self, request, pk):
        self.object = application = self.get_object()
        name = request.POST.get("transition", "")
        transition = TRANSITIONS.get(name)
        if transition is None or request.user.role not in transition.roles:
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        form = TransitionForm(transition, application, request.POST, user=request.user)
        if request.POST.get("revise"):
            # Back from the confirmation to the form, everything typed kept (shown once on the page).
            form.is_valid()
            keep_refused(request.session, application, form)
            return redirect(self._back(application))
        if form.is_valid() and transition.confirm and not request.POST.get("confirmed"):
            error = refusal(application, request.user, name, form.cleaned_data["opinion"], form.extra)
            if error is None:
                return self._confirmation(request, application, transition, form)
            form.apply_error(error)
        elif form.is_valid():
            try:
                perform(application, request.user, name, form.cleaned_data["opinion"],
                        expected_state=form.cleaned_data["expected_state"], extra=form.extra)
            except StaleStateError as e:
                # Show the page as it is now; the unsent opinion stays on screen to copy.
                messages.error(request, e.message)
                application.refresh_from_db()
                context = self.get_context_data(object=application)
                context["unsent_opinion"] = form.cleaned_data["opinion"]
                return self.render_to_response(context, status=409)
            except TransitionError as e:
                form.apply_error(e)
            else:
                messages.success(request, _("已执行“%(action)s”,申报状态现为“%(state)s”。") % {
                    "action": transition.label, "state": application.get_state_display()})
                # The e-mail goes out through the outbox: queued, even while the mail worker is away.
                messages.info(request, _("相关人员已收到站内通知，邮件已排队发送。"))
                return redirect(self._back(application))
        messages.error(request, _("“%(action)s”未执行,请按提示修改后重新提交。") % {"action": transition.label})
        keep_refused(request.session, application, form)
        return redirect(self._back(application))

    def _confirmation(self, request, application, transition, form):
        """A step that cannot be undone: show what it issues, watermarked, and ask once more."""
        opinion, extra = form.cleaned_data["opinion"], numbers.with_number(transition, form.extra, request.user)
        subject, body = previews.message(application, transition, opinion, extra)
        return render(request, "review/confirm.html", {
            "application": application, "transition": transition, "form": form,
            "letter": previews.letter(application, request.user, transition, opinion, extra),
            "message_subject": subject, "message_body": body, "next_page": request.POST.get("next", ""),
            # The number the preview shows is the one confirmed (refused then if taken meanwhile).
            "document_number": extra.get("document_number", ""),
        })

    def _back(self, application):
        nxt = self.request.POST.get("next", "")
        if nxt == "formal_review" and self.request.user.has_perm("portal.review_nationally", application):
            return redirect("review:formal_review", pk=application.pk).url
        return redirect("applications:detail", pk=application.pk).url


class SubmitView(LoginRequiredMixin, View):
    """The applicant's 报送 page: what still stops submission, then the submit (or resubmit) transition."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = own_application(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def transition_name(self):
        return "resubmit" if self.application.state in (S.RETURNED, S.WITHDRAWN) else "submit"

    def _render(self, request, status=200):
        app = self.application
        found = [
            {"code": p.code, "message": p.message,
             "url": reverse("applications:section", args=[app.pk, p.section]) if p.section else ""}
            for p in (submission_problems(app) if app.is_editable else [])
        ]
        return render(request, "applications/submit.html", {
            "application": app, "problems": found, "nav": section_nav(app), "transition": self.transition_name(),
            "deadline": app.deadline,
        }, status=status)

    def get(self, request, pk):
        return self._render(request)

    def post(self, request, pk):
        app = self.application
        expected = request.POST.get("expected_state") or app.state
        try:
            perform(app, request.user, self.transition_name(), expected_state=expected)
        except TransitionError as error:
            messages.error(request, str(error))
            return self._render(request, status=200)
        messages.success(request, _("已报送省局(第 %(n)s 版)。") % {"n": app.current_version})
        return redirect("applications:detail", app.pk)
