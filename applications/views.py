"""The applicant's pages (workspace, new application, sectioned form, eligibility panel, evidence)
and every role's read-only pages of an application (detail, versions, downloads). Every application
is fetched through applications.queries, so anything outside the user's scope is a 404; every change
is one call of applications.services. Submitting is a transition: review.views.SubmitView."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.enums import Role
from accounts.mixins import RolePermissionMixin
from pagecache.pages import CachedPageMixin
from workflow import editing

from . import eligibility, forms, presentation, services, submission, uploads
from .enums import EvidenceKind
from .models import Call, Evidence, FundingCommitment, PlanYear
from .queries import applicant_workspace, open_calls_for, own_application, visible_application
from .sections import COMPLETENESS_PREFETCH, SECTION_BY_KEY, SECTIONS, completeness, required_evidence

# A section is not complete, complete but failing a condition of 四(一) (named), or complete.
INCOMPLETE, FAILING, COMPLETE = "incomplete", "failing", "complete"


def section_nav(application, done=None, results=None):
    """The sections with their state. `results`: the saved application's eligibility, when the
    caller already has it."""
    done = completeness(application) if done is None else done
    results = eligibility.evaluate_application(application) if results is None else results
    failing = {}
    for result in eligibility.blocking(results):
        failing.setdefault(result.section, []).append(result)
    nav = []
    for s in SECTIONS:
        conditions = failing.get(s.key, []) if done[s.key] else []
        state = COMPLETE if done[s.key] and not conditions else (FAILING if done[s.key] else INCOMPLETE)
        nav.append({"key": s.key, "title": s.title, "complete": done[s.key], "state": state,
                    "failing": conditions, "url": reverse("applications:section", args=[application.pk, s.key])})
    return nav


# ---- workspace and creation ---------------------------------------------------------------------

class ApplicantWorkspaceView(CachedPageMixin, RolePermissionMixin, ListView):
    permission_required = "portal.applicant_workspace"
    template_name = "applications/workspace.html"
    context_object_name = "applications"

    def get_queryset(self):
        return applicant_workspace(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = []
        for application in ctx["applications"]:
            done = completeness(application)
            rows.append({"application": application, "done": sum(done.values()), "total": len(done)})
        ctx["rows"] = rows
        ctx["open_calls"] = open_calls_for(self.request.user.organisation)
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
        calls = open_calls_for(request.user.organisation)
        form = forms.NewApplicationForm(request.POST, calls=Call.objects.filter(pk__in=[c.pk for c in calls]))
        if not form.is_valid():
            return self._render(request, form, calls)
        try:
            application = services.create_application(request.user, form.cleaned_data["call"])
        except services.ApplicationRefused as refusal:
            form.add_error("call", refusal.field_errors.get("call", refusal.message))
            return self._render(request, form, calls)
        messages.success(request, _("已创建申报草稿,请逐项填写。"))
        return redirect("applications:section", application.pk, SECTIONS[0].key)


# ---- the sectioned form -------------------------------------------------------------------------

class SectionView(LoginRequiredMixin, View):
    """One section of the online form. Saving never requires completeness; invalid values come
    back with a message at the field and every other typed value kept."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = own_application(request.user, kwargs["pk"])
        self.section = SECTION_BY_KEY.get(kwargs["section"])
        if self.section is None:
            raise Http404
        if not request.user.has_perm("portal.edit_application", self.application):
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
        saved = eligibility.evaluate_application(app)
        ctx = {
            "application": app, "section": self.section, "nav": section_nav(app, results=saved),
            "next_section": SECTION_BY_KEY[keys[index + 1]] if index + 1 < len(keys) else None,
            "results": results if results is not None else saved,
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

    def render(self, request, built, status=200, results=None, loaded=None, conflict=None):
        ctx = self.context(built, results)
        ctx["loaded_token"] = loaded or services.section_version(self.application, self.section.key)
        ctx["conflict"] = conflict
        return render(request, "applications/section.html", ctx, status=status)

    def get(self, request, pk, section):
        return self.render(request, self.build())

    def post(self, request, pk, section):
        if self.section.key == "evidence":
            return self.post_evidence(request)
        built = self.build(request.POST, request.FILES)
        parts = [built[k] for k in ("form", "formset") if k in built]
        loaded = request.POST.get(editing.TOKEN_FIELD) or None
        if all(part.is_valid() for part in parts):
            try:
                services.save_section(request.user, self.application, self.section.key, parts, loaded=loaded)
            except editing.EditConflict as conflict:
                # Nothing was saved: the page shows both, keeps what was typed and carries the new version.
                messages.error(request, conflict.message)
                rebuilt = self.build(conflict.data(request.POST), request.FILES)
                for part in rebuilt.values():
                    part.is_valid()
                return self.render(request, rebuilt, status=409, loaded=conflict.token, conflict=conflict)
            except services.ApplicationRefused as refusal:
                messages.warning(request, refusal.message)
                return redirect("applications:detail", self.application.pk)
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
        return self.render(request, built, status=200, results=results, loaded=loaded)

    def post_evidence(self, request):
        app = self.application
        if request.POST.get("action") == "withdraw":
            try:
                evidence = services.withdraw_evidence(request.user, app, _int(request.POST.get("evidence")))
            except services.ApplicationRefused as refusal:
                messages.warning(request, refusal.message)
                return redirect("applications:detail", app.pk)
            if evidence is None:
                raise Http404
            messages.success(request, _("已撤下“%(name)s”。") % {"name": evidence.original_name})
            return redirect("applications:section", app.pk, "evidence")
        built = self.build(request.POST, request.FILES)
        form = built["evidence_form"]
        if form.is_valid():
            try:
                services.upload_evidence(request.user, app, form.cleaned_data["kind"], form.cleaned_data["file"],
                                         form.cleaned_data["title"])
            except services.ApplicationRefused as refusal:  # re-checked at storage; same messages
                form.add_error("file", refusal.field_errors.get("file", refusal.message))
            else:
                messages.success(request, _("已上传“%(name)s”。") % {"name": form.cleaned_data["file"].name})
                return redirect("applications:section", app.pk, "evidence")
        return self.render(request, built)


def _int(value):
    return int(value) if isinstance(value, str) and value.isdigit() else None


def panel_data(application, section_key, post) -> dict:
    """Eligibility data: the saved application overlaid with this section's typed values.
    A figure that does not validate carries the form's own message to the panel (the field and the
    panel say the same thing); any other invalid value counts as not filled."""
    data = eligibility.data_from_application(application)
    section = SECTION_BY_KEY.get(section_key)
    form_class = forms.section_form_class(section_key) if section else None
    if form_class is None:
        return data
    scratch = copy.copy(application)  # never saved: the form only reads into it
    form = form_class(data=post, instance=scratch)
    form.is_valid()
    for name in section.fields:
        if name not in data:
            continue
        if name in form.errors:
            data[name] = (eligibility.Invalid(" ".join(form.errors[name]))
                          if name in eligibility.FIGURES else None)
        else:
            data[name] = form.cleaned_data.get(name)
    return data


class EligibilityPanelView(LoginRequiredMixin, View):
    """htmx endpoint: evaluates the current, unsaved form values with the same rules as submission."""

    def post(self, request, pk):
        application = own_application(request.user, pk)
        results = eligibility.evaluate(panel_data(application, request.POST.get("_section", ""), request.POST))
        return render(request, "applications/_eligibility.html", {"results": results, "live": True})


# ---- read-only pages ----------------------------------------------------------------------------

class ApplicationDetailView(CachedPageMixin, RolePermissionMixin, DetailView):
    """Read-only page of one application; anyone outside its scope gets 404.

    The owner sees the live data (with edit links while editable); everyone else sees the
    current submitted version. Experts never reach it (404): they score on their own page."""

    permission_required = "portal.view_application"
    not_found_when_denied = True
    template_name = "applications/detail.html"
    context_object_name = "application"

    def get_object(self, queryset=None):
        if not hasattr(self, "_object"):
            # Reviewers read the submitted version's texts (cached fragments), not the live row's.
            self._object = visible_application(self.request.user, self.kwargs["pk"],
                                               without_texts=self.request.user.role != Role.APPLICANT)
        return self._object

    def get_permission_object(self):
        return self.get_object()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        app = self.object
        user = self.request.user
        is_owner = user.has_perm("portal.own_application", app)
        # The list of versions needs no snapshot; the current one's is read only to render it.
        versions = list(app.versions.select_related("submitted_by").defer("snapshot", "eligibility")
                        .order_by("number"))
        current = next((v for v in versions if v.number == app.current_version), None)
        ctx.update({"is_owner": is_owner, "versions": versions, "current_version": current,
                    "live_documents": is_owner})
        if not is_owner and current is not None:
            # Reviewers judge the submitted version: the same fragments for all of them (cached).
            ctx["fragments"] = presentation.version_fragments(app, current)
            return ctx
        if is_owner:
            # The sections' completeness, the snapshot and the conditions read the same related rows.
            prefetch_related_objects([app], *COMPLETENESS_PREFETCH)
            snapshot = submission.snapshot(app)
            # The owner sees its live data.
            results = eligibility.evaluate_application(app)
            ctx["nav"] = section_nav(app, results=results)
            ctx["editable"] = app.is_editable
        else:
            snapshot = {}
            results = eligibility.evaluate(eligibility.data_from_snapshot(snapshot))
        ctx.update(presentation.content_context(snapshot))
        ctx["results"] = results
        return ctx


class VersionView(RolePermissionMixin, DetailView):
    """A frozen version, readable for ever by whoever may see the application."""

    permission_required = "portal.view_application"
    not_found_when_denied = True
    template_name = "applications/version.html"
    context_object_name = "version"

    def get_object(self, queryset=None):
        if not hasattr(self, "_object"):
            app = visible_application(self.request.user, self.kwargs["pk"])
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

def _attachment(serve, request):
    """Stream a stored upload that `serve()` (an applications.services download) checked against the
    SHA-256 recorded at upload; a missing file is a 404, a mismatch a page saying why (409)."""
    try:
        served = serve()
    except services.StoredFileMissing:
        raise Http404
    except services.StoredFileRefused as refusal:
        return render(request, "applications/file_refused.html", {"message": refusal.message}, status=409)
    response = FileResponse(served.handle, as_attachment=True, filename=served.filename,
                            content_type=served.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class EvidenceDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk, evidence_pk):
        app = visible_application(request.user, pk)
        evidence = get_object_or_404(Evidence, application=app, pk=evidence_pk)
        # Reviewers see only what was submitted; the owner also sees its current drafts' files.
        if not request.user.has_perm("portal.view_evidence", evidence):
            raise Http404
        return _attachment(lambda: services.download_evidence(request.user, evidence), request)


class PolicyDocumentView(LoginRequiredMixin, View):
    """The current document of a policy: the owner's working copy."""

    def get(self, request, pk, policy_pk):
        app = own_application(request.user, pk)
        policy = get_object_or_404(app.policies, pk=policy_pk)
        if not policy.document:
            raise Http404
        return _attachment(lambda: services.download_policy_document(request.user, policy), request)


class VersionPolicyDocumentView(LoginRequiredMixin, View):
    """A policy document as frozen in a version."""

    def get(self, request, pk, number, index):
        app = visible_application(request.user, pk)
        version = get_object_or_404(app.versions, number=number)
        policies = version.snapshot.get("policies", [])
        if index >= len(policies) or not policies[index].get("document_file"):
            raise Http404
        entry = policies[index]
        return _attachment(lambda: services.download_version_policy_document(request.user, version, entry), request)
