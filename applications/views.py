"""The applicant's pages: workspace, new application, sectioned form, eligibility panel, evidence,
submission, versions and downloads. Every application is fetched through accounts.scoping, so
anything outside the user's scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from accounts import rules as portal_rules
from accounts.mixins import RolePermissionMixin
from accounts.scoping import applications_for

from . import eligibility, forms, presentation, submission, uploads
from .enums import ApplicationState, CallStatus, EvidenceKind
from .models import Application, Call, Evidence, FundingCommitment, PlanYear
from .sections import COMPLETENESS_PREFETCH, SECTION_BY_KEY, SECTIONS, completeness, required_evidence


def visible_application(request, pk) -> Application:
    """The application if this user may see it, else 404."""
    qs = applications_for(request.user).select_related("call", "province", "applicant")
    return get_object_or_404(qs.prefetch_related("call__province_deadlines"), pk=pk)


def own_application(request, pk) -> Application:
    """The application if it belongs to the user's organisation, else 404 (never 403: others
    must not learn that it exists)."""
    application = visible_application(request, pk)
    if not portal_rules.owns_application(request.user, application):
        raise Http404
    return application


def open_calls_for(organisation):
    """Calls this organisation may still apply to: open, deadline not passed, not yet applied."""
    now = timezone.now()
    calls = (Call.objects.filter(status=CallStatus.OPEN, opens_on__lte=timezone.localdate())
             .exclude(applications__applicant=organisation).prefetch_related("province_deadlines"))
    return [c for c in calls if c.deadline_for(organisation.province) >= now]


def section_nav(application, done=None):
    done = completeness(application) if done is None else done
    return [{"key": s.key, "title": s.title, "complete": done[s.key],
             "url": reverse("applications:section", args=[application.pk, s.key])} for s in SECTIONS]


# ---- workspace and creation ---------------------------------------------------------------------

class ApplicantWorkspaceView(RolePermissionMixin, ListView):
    permission_required = "portal.applicant_workspace"
    template_name = "applications/workspace.html"
    context_object_name = "applications"

    def get_queryset(self):
        return (applications_for(self.request.user).select_related("call", "province", "applicant")
                .prefetch_related("call__province_deadlines", *COMPLETENESS_PREFETCH))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = []
        for application in ctx["applications"]:
            done = completeness(application)
            rows.append({"application": application, "done": sum(done.values()), "total": len(done)})
        ctx["rows"] = rows
        ctx["open_calls"] = open_calls_for(self.request.user.organisation) if self.request.user.organisation else []
        return ctx


class NewApplicationView(RolePermissionMixin, View):
    permission_required = "portal.create_application"

    def _render(self, request, form, calls):
        return render(request, "applications/new.html", {"form": form, "calls": calls})

    def get(self, request):
        calls = open_calls_for(request.user.organisation)
        initial = {}
        if request.GET.get("call", "").isdigit():
            initial["call"] = int(request.GET["call"])
        form = forms.NewApplicationForm(calls=Call.objects.filter(pk__in=[c.pk for c in calls]), initial=initial)
        return self._render(request, form, calls)

    def post(self, request):
        org = request.user.organisation
        calls = open_calls_for(org)
        form = forms.NewApplicationForm(request.POST, calls=Call.objects.filter(pk__in=[c.pk for c in calls]))
        if not form.is_valid():
            return self._render(request, form, calls)
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    call=form.cleaned_data["call"], applicant=org, province=org.province, city=org.city)
        except IntegrityError:  # a second tab got there first: one application per call
            application = Application.objects.get(call=form.cleaned_data["call"], applicant=org)
        messages.success(request, _("已创建申报草稿,请逐项填写。"))
        return redirect("applications:section", application.pk, SECTIONS[0].key)


# ---- the sectioned form -------------------------------------------------------------------------

class SectionView(LoginRequiredMixin, View):
    """One section of the online form. Saving never requires completeness; invalid values come
    back with a message at the field and every other typed value kept."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = own_application(request, kwargs["pk"])
        self.section = SECTION_BY_KEY.get(kwargs["section"])
        if self.section is None:
            raise Http404
        if not self.application.is_editable:
            messages.warning(request, _("该申报已报送,当前不能修改。"))
            return redirect("applications:detail", self.application.pk)
        return super().dispatch(request, *args, **kwargs)

    # Each section kind builds its own bound/unbound forms.
    def build(self, data=None, files=None):
        key, app = self.section.key, self.application
        built = {}
        form_class = forms.section_form_class(key)
        if form_class:
            built["form"] = form_class(data=data, files=files, instance=app)
        if key == "policies":
            built["formset"] = forms.policy_formset_class()(data=data, files=files, instance=app, prefix="policies")
        elif key == "plan_years":
            built["formset"] = forms.year_formset(PlanYear, forms.PlanYearForm, app, data)
        elif key == "funding":
            built["formset"] = forms.year_formset(FundingCommitment, forms.FundingForm, app, data, can_delete=True)
        elif key == "evidence":
            built["evidence_form"] = forms.EvidenceForm(data=data, files=files)
        return built

    def context(self, built, results=None):
        app = self.application
        keys = [s.key for s in SECTIONS]
        index = keys.index(self.section.key)
        ctx = {
            "application": app, "section": self.section, "nav": section_nav(app),
            "next_section": SECTION_BY_KEY[keys[index + 1]] if index + 1 < len(keys) else None,
            "results": results if results is not None else eligibility.evaluate_application(app),
            "live_panel": bool(forms.section_form_class(self.section.key)),
            **built,
        }
        if self.section.key == "evidence":
            active = list(app.evidence.filter(withdrawn_at__isnull=True).select_related("uploaded_by"))
            have = {e.kind for e in active}
            ctx["evidence"] = active
            ctx["required_kinds"] = [(k, EvidenceKind(k).label, k in have) for k in required_evidence(app)]
            ctx["upload_limit"] = uploads.max_bytes()
        return ctx

    def render(self, request, built, status=200, results=None):
        return render(request, "applications/section.html", self.context(built, results), status=status)

    def get(self, request, pk, section):
        return self.render(request, self.build())

    def post(self, request, pk, section):
        if self.section.key == "evidence":
            return self.post_evidence(request)
        built = self.build(request.POST, request.FILES)
        parts = [built[k] for k in ("form", "formset") if k in built]
        if all(part.is_valid() for part in parts):
            with transaction.atomic():
                for part in parts:
                    part.save()
            messages.success(request, _("已保存“%(section)s”。") % {"section": self.section.title})
            if "save_next" in request.POST:
                keys = [s.key for s in SECTIONS]
                index = keys.index(self.section.key)
                if index + 1 < len(keys):
                    return redirect("applications:section", self.application.pk, keys[index + 1])
            return redirect("applications:section", self.application.pk, self.section.key)
        messages.error(request, _("有内容未通过检查,请按提示修改后再保存;其他已填写内容均已保留。"))
        results = None
        if "form" in built:
            results = eligibility.evaluate(panel_data(self.application, self.section.key, request.POST))
        return self.render(request, built, status=200, results=results)

    def post_evidence(self, request):
        app = self.application
        if request.POST.get("action") == "withdraw":
            evidence = app.evidence.filter(pk=_int(request.POST.get("evidence")), withdrawn_at__isnull=True).first()
            if evidence is None:
                raise Http404
            uploads.withdraw_evidence(evidence)
            messages.success(request, _("已撤下“%(name)s”。") % {"name": evidence.original_name})
            return redirect("applications:section", app.pk, "evidence")
        built = self.build(request.POST, request.FILES)
        form = built["evidence_form"]
        if form.is_valid():
            try:
                uploads.store_evidence(app, form.cleaned_data["kind"], form.cleaned_data["file"], request.user,
                                       form.cleaned_data["title"])
            except ValidationError as error:  # re-checked at storage; same messages
                form.add_error("file", error)
            else:
                messages.success(request, _("已上传“%(name)s”。") % {"name": form.cleaned_data["file"].name})
                return redirect("applications:section", app.pk, "evidence")
        return self.render(request, built)


def _int(value):
    return int(value) if isinstance(value, str) and value.isdigit() else None


def panel_data(application, section_key, post) -> dict:
    """Eligibility data: the saved application overlaid with this section's typed values.
    A value that does not validate counts as not filled (the form shows its message)."""
    data = eligibility.data_from_application(application)
    section = SECTION_BY_KEY.get(section_key)
    form_class = forms.section_form_class(section_key) if section else None
    if form_class is None:
        return data
    scratch = Application.objects.get(pk=application.pk)  # never saved: the form only reads into it
    form = form_class(data=post, instance=scratch)
    form.is_valid()
    for name in section.fields:
        if name in data:
            data[name] = None if name in form.errors else form.cleaned_data.get(name)
    return data


class EligibilityPanelView(LoginRequiredMixin, View):
    """htmx endpoint: evaluates the current, unsaved form values with the same rules as submission."""

    def post(self, request, pk):
        application = own_application(request, pk)
        results = eligibility.evaluate(panel_data(application, request.POST.get("_section", ""), request.POST))
        return render(request, "applications/_eligibility.html", {"results": results, "live": True})


# ---- submission ---------------------------------------------------------------------------------

class SubmitView(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = own_application(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, status=200):
        app = self.application
        found = [
            {"code": p.code, "message": p.message,
             "url": reverse("applications:section", args=[app.pk, p.section]) if p.section else ""}
            for p in (submission.problems(app) if app.is_editable else [])
        ]
        return render(request, "applications/submit.html", {
            "application": app, "problems": found, "nav": section_nav(app),
            "transition": "resubmit" if app.state == ApplicationState.RETURNED else "submit",
            "deadline": app.deadline,
        }, status=status)

    def get(self, request, pk):
        return self._render(request)

    def post(self, request, pk):
        from review.transitions import TransitionError, perform

        app = self.application
        name = "resubmit" if app.state == ApplicationState.RETURNED else "submit"
        expected = request.POST.get("expected_state") or app.state
        try:
            perform(app, request.user, name, expected_state=expected)
        except TransitionError as error:
            messages.error(request, str(error))
            return self._render(request, status=200)
        app.refresh_from_db()
        messages.success(request, _("已报送省局(第 %(n)s 版)。") % {"n": app.current_version})
        return redirect("applications:detail", app.pk)


# ---- read-only pages ----------------------------------------------------------------------------

class ApplicationDetailView(RolePermissionMixin, DetailView):
    """Read-only page of one application; anyone outside its scope gets 404.

    The owner sees the live data (with edit links while editable); everyone else sees the
    current submitted version."""

    permission_required = "portal.view_application"
    template_name = "applications/detail.html"
    context_object_name = "application"

    def get_object(self, queryset=None):
        if not hasattr(self, "_object"):
            self._object = visible_application(self.request, self.kwargs["pk"])
        return self._object

    def get_permission_object(self):
        return self.get_object()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        app = self.object
        user = self.request.user
        is_owner = portal_rules.owns_application(user, app)
        versions = list(app.versions.select_related("submitted_by").order_by("number"))
        current = next((v for v in versions if v.number == app.current_version), None)
        if is_owner:
            snapshot = submission.snapshot(app)
            ctx["nav"] = section_nav(app)
            ctx["editable"] = app.is_editable
        else:
            snapshot = current.snapshot if current else {}
        ctx.update(presentation.content_context(snapshot))
        ctx.update({
            "is_owner": is_owner, "versions": versions, "current_version": current,
            # Reviewers judge the submitted version; the owner sees its live data.
            "results": (eligibility.evaluate_application(app) if is_owner
                        else eligibility.evaluate(eligibility.data_from_snapshot(snapshot))),
            "live_documents": is_owner,
        })
        return ctx


class VersionView(RolePermissionMixin, DetailView):
    """A frozen version, readable for ever by whoever may see the application."""

    permission_required = "portal.view_application"
    template_name = "applications/version.html"
    context_object_name = "version"

    def get_object(self, queryset=None):
        if not hasattr(self, "_object"):
            app = visible_application(self.request, self.kwargs["pk"])
            self._object = get_object_or_404(app.versions.select_related("submitted_by"), number=self.kwargs["number"])
            self._object.application = app
        return self._object

    def get_permission_object(self):
        return self.get_object().application

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version = self.object
        ctx.update(presentation.content_context(version.snapshot))
        ctx["application"] = version.application
        # Frozen results carry both languages' texts; show the active one.
        lang = "en" if (getattr(self.request, "LANGUAGE_CODE", "") or "").startswith("en") else "zh-hans"
        ctx["eligibility"] = [
            {**r, "title": r.get(f"title_{lang}", ""), "message": r.get(f"message_{lang}", "")}
            for r in version.eligibility
        ]
        return ctx


# ---- file downloads -----------------------------------------------------------------------------

def _attachment(file_field, filename, content_type):
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _content_type_of(name):
    lower = (name or "").lower()
    for _magic, content_type, ext in uploads.SIGNATURES:
        if lower.endswith(ext) or (ext == ".jpg" and lower.endswith(".jpeg")):
            return content_type
    return "application/octet-stream"


class EvidenceDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk, evidence_pk):
        app = visible_application(request, pk)
        evidence = get_object_or_404(Evidence, application=app, pk=evidence_pk)
        # Reviewers see only what was submitted; the owner also sees its current drafts' files.
        if not portal_rules.owns_application(request.user, app) and not evidence.versions.exists():
            raise Http404
        return _attachment(evidence.file, evidence.original_name, evidence.content_type)


class PolicyDocumentView(LoginRequiredMixin, View):
    """The current document of a policy: the owner's working copy."""

    def get(self, request, pk, policy_pk):
        app = own_application(request, pk)
        policy = get_object_or_404(app.policies, pk=policy_pk)
        if not policy.document:
            raise Http404
        return _attachment(policy.document, policy.document_name or "document", _content_type_of(policy.document.name))


class VersionPolicyDocumentView(LoginRequiredMixin, View):
    """A policy document as frozen in a version."""

    def get(self, request, pk, number, index):
        app = visible_application(request, pk)
        version = get_object_or_404(app.versions, number=number)
        policies = version.snapshot.get("policies", [])
        if index >= len(policies) or not policies[index].get("document_file"):
            raise Http404
        entry = policies[index]
        field = Evidence._meta.get_field("file")
        from django.db.models.fields.files import FieldFile

        stored = FieldFile(instance=None, field=field, name=entry["document_file"])
        return _attachment(stored, entry.get("document_name") or "document", _content_type_of(entry["document_file"]))
