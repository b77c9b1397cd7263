"""Pipeline pages: the provincial and national workspaces, the formal review, the decision
forms (through the application page's panel) and the distribution table."""

from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.enums import Region
from accounts.mixins import RolePermissionMixin
from accounts.models import Province
from accounts.scoping import applications_for
from applications.enums import ApplicationState as S
from applications.enums import CallStatus
from applications.models import Call
from applications.views import ApplicationDetailView

from . import ranking
from .filters import NationalQueueFilter, ProvincialQueueFilter
from .forms import FormalReviewForm, RankingForm, TransitionForm
from .guards import FORMAL_CHECKLIST
from .models import FormalReview, TransitionLog
from .tables import ProvincialQueueTable
from .transitions import TRANSITIONS, StaleStateError, TransitionError, perform

# States counted as "in review" in the national distribution: forwarded and not yet decided.
IN_REVIEW = (S.RECOMMENDED, S.NATIONAL_REVIEW, S.EXPERT_REVIEW, S.RETURNED_TO_PROVINCE)
# States still waiting for the province to act (its queue).
PROVINCE_TODO = (S.SUBMITTED, S.PROVINCIAL_REVIEW, S.RETURNED_TO_PROVINCE)


def _state_counts(qs):
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in S.choices if counts.get(value)]


class ProvincialWorkspaceView(RolePermissionMixin, SingleTableMixin, FilterView):
    """The province's queue (filters and sorting) and its ranking of recommendations."""

    permission_required = "portal.provincial_workspace"
    template_name = "review/provincial_workspace.html"
    table_class = ProvincialQueueTable
    filterset_class = ProvincialQueueFilter
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return applications_for(self.request.user).select_related("call", "province", "applicant")

    def ranking_sections(self, bound=None):
        """One ranking form per call with recommendations; `bound` = (call pk, bound form)."""
        user = self.request.user
        ranked = list(applications_for(user).filter(provincial_rank__isnull=False)
                      .select_related("call", "applicant").order_by("call__opens_on", "call_id", "provincial_rank"))
        locked_calls = set(TransitionLog.objects.filter(
            transition="start_national_review", application__province_id=user.organisation.province_id,
        ).values_list("application__call_id", flat=True).distinct())
        by_call = OrderedDict()
        for app in ranked:
            by_call.setdefault(app.call, []).append(app)
        sections = []
        for call, apps in by_call.items():
            editable = [a for a in apps if a.state == S.RECOMMENDED]
            locked = call.pk in locked_calls
            if locked and call.status != CallStatus.OPEN:
                continue  # past calls' settled rankings stay readable in the queue's 推荐排序 column
            if bound and bound[0] == call.pk:
                form = bound[1]  # the refused submission, with its errors and typed values
            elif editable and not locked:
                form = RankingForm(editable, prefix=f"call{call.pk}")
            else:
                form = None
            sections.append({"call": call, "applications": apps, "locked": locked, "form": form})
        return sections

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scoped = applications_for(self.request.user)
        ctx["state_counts"] = _state_counts(scoped)
        ctx["todo_count"] = sum(n for value, _label, n in ctx["state_counts"] if value in PROVINCE_TODO)
        ctx["ranking_sections"] = self.ranking_sections(getattr(self, "_bound_ranking", None))
        return ctx


class ProvincialRankingView(ProvincialWorkspaceView):
    """POST: save the province's ranking of its recommendations in one call."""

    http_method_names = ["post"]

    def post(self, request, call_pk):
        call = get_object_or_404(Call, pk=call_pk)
        editable = list(applications_for(request.user).filter(call=call, state=S.RECOMMENDED)
                        .select_related("applicant").order_by("provincial_rank", "pk"))
        form = RankingForm(editable, request.POST, prefix=f"call{call.pk}")
        if form.is_valid():
            try:
                ranking.set_ranking(request.user, call, form.ranks)
            except ranking.RankingError as e:
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


class NationalWorkspaceView(RolePermissionMixin, FilterView):
    """Forwarded applications grouped by province, with counts by stage and by province."""

    permission_required = "portal.national_workspace"
    template_name = "review/national_workspace.html"
    filterset_class = NationalQueueFilter
    context_object_name = "applications"
    paginate_by = 100

    def get_queryset(self):
        return (applications_for(self.request.user).select_related("call", "province", "applicant")
                .order_by("province__code", "provincial_rank", "pk"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scoped = applications_for(self.request.user)
        ctx["state_counts"] = _state_counts(scoped)
        ctx["province_counts"] = list(
            scoped.order_by("province__code").values("province__name", "province__code").annotate(
                total=Count("pk"),
                waiting=Count("pk", filter=Q(state__in=[S.RECOMMENDED, S.NATIONAL_REVIEW])),
                experts=Count("pk", filter=Q(state=S.EXPERT_REVIEW)),
                approved=Count("pk", filter=Q(state=S.APPROVED)),
            ))
        return ctx


class DistributionView(RolePermissionMixin, TemplateView):
    """五(一) 统筹确定实验区在全国的合理分布: approved and in review per province and region."""

    permission_required = "portal.national_workspace"
    template_name = "review/distribution.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        calls = list(Call.objects.order_by("-opens_on", "-pk"))
        call = None
        wanted = self.request.GET.get("call", "")
        if wanted.isdigit():
            call = next((c for c in calls if c.pk == int(wanted)), None)
        call = call or (calls[0] if calls else None)
        rows, regions = [], []
        if call is not None:
            qs = applications_for(self.request.user).filter(call=call)
            per_province = {
                r["province_id"]: r for r in qs.order_by().values("province_id").annotate(
                    approved=Count("pk", filter=Q(state=S.APPROVED)),
                    in_review=Count("pk", filter=Q(state__in=IN_REVIEW)),
                    closed=Count("pk", filter=Q(state__in=[S.REJECTED, S.NOT_APPROVED])),
                    total=Count("pk"),
                )
            }
            provinces = list(Province.objects.order_by("code"))
            for region_value, region_label in Region.choices:
                members = [p for p in provinces if p.region == region_value]
                region_rows = []
                for p in members:
                    r = per_province.get(p.pk)
                    if r:
                        region_rows.append({"province": p, **r})
                regions.append({
                    "label": region_label, "rows": region_rows, "provinces": len(members),
                    "approved": sum(r["approved"] for r in region_rows),
                    "in_review": sum(r["in_review"] for r in region_rows),
                    "closed": sum(r["closed"] for r in region_rows),
                    "total": sum(r["total"] for r in region_rows),
                })
                rows.extend(region_rows)
        approved = sum(r["approved"] for r in rows)
        ctx.update({
            "calls": calls, "call": call, "regions": regions,
            "approved": approved, "in_review": sum(r["in_review"] for r in rows),
            "closed": sum(r["closed"] for r in rows), "total": sum(r["total"] for r in rows),
            "target": call.target_zones if call else 0,
            "target_left": max((call.target_zones if call else 0) - approved, 0),
            "provinces_with_zone": sum(1 for r in rows if r["approved"]),
        })
        return ctx


class FormalReviewView(RolePermissionMixin, TemplateView):
    """材料审核: the checklist for the current version, saved per version."""

    permission_required = "portal.review_nationally"
    template_name = "review/formal_review.html"

    def get_application(self):
        if not hasattr(self, "_application"):
            qs = applications_for(self.request.user).select_related("call", "province", "applicant")
            self._application = get_object_or_404(qs, pk=self.kwargs["pk"])
        return self._application

    def get_permission_object(self):
        return self.get_application()

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        application = self.get_application()
        review = FormalReview.objects.filter(application=application, version=application.current_version).first()
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
            "checklist": FORMAL_CHECKLIST,
            "provincial_reviews": application.provincial_reviews.select_related("reviewer").order_by("-created_at"),
        })
        return ctx

    def post(self, request, pk):
        application = self.get_application()
        if application.state != S.NATIONAL_REVIEW:
            messages.error(request, _("只有处于“国家局材料审核”状态的申报可以填写审核清单。"))
            return redirect("review:formal_review", pk=application.pk)
        form = FormalReviewForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        FormalReview.objects.update_or_create(
            application=application, version=application.current_version,
            defaults={"checklist": form.checklist, "notes": form.cleaned_data["notes"], "reviewer": request.user},
        )
        messages.success(request, _("材料审核清单已保存(第 %(v)s 版)。") % {"v": application.current_version})
        return redirect("review:formal_review", pk=application.pk)


class TransitionView(ApplicationDetailView):
    """POST one pipeline action from the application page's panel.

    On success: redirect back with a message. On a refusal the page is shown again with the
    typed opinion kept and the message next to the input it concerns.
    """

    http_method_names = ["post"]

    def post(self, request, pk):
        self.object = application = self.get_object()
        name = request.POST.get("transition", "")
        transition = TRANSITIONS.get(name)
        if transition is None or request.user.role not in transition.roles:
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        form = TransitionForm(transition, application, request.POST)
        status = 400
        if form.is_valid():
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
                return redirect(self._back(application))
        messages.error(request, _("“%(action)s”未执行,请按提示修改后重新提交。") % {"action": transition.label})
        context = self.get_context_data(object=application)
        context["transition_forms"] = {name: form}
        return self.render_to_response(context, status=status)

    def _back(self, application):
        nxt = self.request.POST.get("next", "")
        if nxt == "formal_review" and self.request.user.has_perm("portal.review_nationally", application):
            return redirect("review:formal_review", pk=application.pk).url
        return redirect("applications:detail", pk=application.pk).url
