"""Forms of the review pipeline. A transition's form is built from its row in the state table."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from applications.models import end_of_day

from . import numbers
from .guards import FORMAL_CHECKLIST, INPUT_REQUIRED_MESSAGES
from .models import FINDINGS
from .transitions import TRANSITIONS

# Where the opinion typed for a step appears, said under its field.
OPINION_HELP = {
    "return_to_applicant": _("退回理由将在申报主体的申报页面和消息中显示。"),
    "decline": _("不予推荐的审核意见将在申报主体的申报页面和消息中显示,本操作不可撤销。"),
    "recommend": _("审核意见将作为推荐函(审核意见)正文“审核意见如下”之后的段落,并在申报页面和消息中显示。"),
    "return_to_province": _("退回理由将在省局和申报主体的申报页面和消息中显示。"),
    "reject": _("审核意见将在省局和申报主体的申报页面和消息中显示,本操作不可撤销。"),
    "approve": _("批复意见将作为批复正文第二项(建设要求)印发;“同意开展建设工作”已由第一项写明,无需重复。"),
    "not_approve": _("不予批复的理由将作为复函正文印发,并在申报页面和消息中显示。"),
}
DOCUMENT_NUMBER_LABELS = {"recommend": _("推荐函文号"), "approve": _("批复文号"), "not_approve": _("复函文号")}


def _finding(label):
    return forms.CharField(label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def _extra_fields():
    return {
        "plan_finding": _finding(_("建设方案审核情况")),
        "evidence_finding": _finding(_("证明材料审核情况")),
        "commitment_finding": _finding(_("承诺书审核情况")),
        "rank": forms.IntegerField(
            label=_("省内推荐排序"), min_value=1, max_value=999, required=False,
            help_text=_("1 表示本省最优先推荐;留空则排在已推荐项目之后。"),
        ),
        "document_number": forms.CharField(label=_("发文字号"), max_length=64, required=False),
    }


class TransitionForm(forms.Form):
    """One pipeline action: the opinion the table asks for and the step's extra inputs."""

    expected_state = forms.CharField(widget=forms.HiddenInput)
    opinion = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=5000)

    def __init__(self, transition, application, *args, user=None, **kwargs):
        self.transition_row = transition
        kwargs.setdefault("prefix", transition.name)
        kwargs.setdefault("initial", {"expected_state": application.state})
        super().__init__(*args, **kwargs)
        self.fields["opinion"].label = transition.opinion_label
        self.fields["opinion"].help_text = OPINION_HELP.get(transition.name, "")
        self.fields["opinion"].required = transition.opinion_required
        if transition.opinion_required:
            self.fields["opinion"].error_messages["required"] = _("请填写%(label)s。") % {
                "label": transition.opinion_label}
        extras = _extra_fields()
        for name in transition.inputs:
            self.fields[name] = extras[name]
            if name in transition.required_inputs:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = INPUT_REQUIRED_MESSAGES[name]
        # The findings on the three materials come before the overall opinion.
        findings = [name for name in FINDINGS if name in self.fields]
        self.order_fields(["expected_state", *findings, "opinion"])
        if "document_number" in self.fields:
            self._number_field(transition, user)

    def _number_field(self, transition, user):
        field = self.fields["document_number"]
        field.label = DOCUMENT_NUMBER_LABELS.get(transition.name, field.label)
        issuer = numbers.issuer_of(user) if user is not None else None
        suggestion = numbers.proposed(issuer)
        if suggestion:
            field.initial = suggestion
            field.help_text = _("形式为“机关代字〔年份〕序号号”;本机关下一个可用文号为“%(next)s”。") % {"next": suggestion}
            if not field.required:
                field.help_text += str(_("留空则使用该文号。"))

    @property
    def extra(self):
        return {name: self.cleaned_data.get(name) for name in self.transition_row.inputs
                if self.cleaned_data.get(name) not in (None, "")}

    def apply_error(self, error):
        """Put a TransitionError's messages next to the inputs they concern."""
        for name, message in error.field_errors.items():
            if name in self.fields:
                self.add_error(name, message)
        leftover = [m for n, m in error.field_errors.items() if n not in self.fields]
        general = error.message
        for message in error.field_errors.values():
            general = general.replace(message, "").strip()
        if general or leftover:
            self.add_error(None, " ".join([general, *leftover]).strip())


def transition_form_for(name, application, data=None, user=None):
    return TransitionForm(TRANSITIONS[name], application, data=data, user=user)


# A refused action is answered with a redirect to the page it came from (a refresh never posts it
# again); what the user typed and the messages travel in the session to that page's panel, once.
REFUSED_KEY = "review.refused_transition"


def keep_refused(session, application, form) -> None:
    prefix = f"{form.prefix}-"
    session[REFUSED_KEY] = {
        "application": application.pk, "transition": form.transition_row.name,
        "data": {key: form.data.get(key) for key in form.data if key.startswith(prefix)},
        "errors": {field: [e["message"] for e in errors] for field, errors in form.errors.get_json_data().items()},
    }


def take_refused(session, application, user=None) -> dict:
    """{transition name: the refused form, bound to what was typed, with its messages} for this
    application's page, taken out of the session (shown once)."""
    kept = session.get(REFUSED_KEY)
    if not kept or kept.get("application") != application.pk or kept.get("transition") not in TRANSITIONS:
        return {}
    del session[REFUSED_KEY]
    form = TransitionForm(TRANSITIONS[kept["transition"]], application, data=kept["data"], user=user)
    form.full_clean()
    form._errors = ErrorDict()
    for field, messages in kept["errors"].items():
        for message in messages:
            form.add_error(None if field == NON_FIELD_ERRORS or field not in form.fields else field, message)
    return {kept["transition"]: form}


class FormalReviewForm(forms.Form):
    """The national office's 材料审核 checklist for the application's current version."""

    notes = forms.CharField(label=_("审核记录"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                            max_length=10000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in FORMAL_CHECKLIST:
            self.fields[key] = forms.BooleanField(label=label, required=False)
        # Checklist first, notes last.
        self.order_fields([key for key, _label in FORMAL_CHECKLIST] + ["notes"])

    @property
    def checklist(self):
        return {key: bool(self.cleaned_data.get(key)) for key, _label in FORMAL_CHECKLIST}


class ProvinceDeadlineForm(forms.Form):
    """The province's own deadline for its cities, as a date: it covers the whole of that day."""

    deadline = forms.DateField(
        label=_("省内截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("截止到当日 23:59:59;留空则以报送国家局的截止时间为准。"),
        error_messages={"invalid": _("请填写有效的日期,例如 2026-05-10。")})

    @property
    def deadline_at(self):
        day = self.cleaned_data.get("deadline")
        return end_of_day(day) if day else None


class RankingForm(forms.Form):
    """One rank input per recommended application, named rank_<pk>."""

    def __init__(self, applications, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        for app in self.applications:
            self.fields[f"rank_{app.pk}"] = forms.IntegerField(
                label=_("“%(zone)s”的排序") % {"zone": app}, min_value=1, max_value=999,
                initial=app.provincial_rank,
            )

    def rows(self):
        return [(app, self[f"rank_{app.pk}"]) for app in self.applications]

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(f"rank_{a.pk}") for a in self.applications]
        present = [v for v in values if v is not None]
        if len(set(present)) != len(present):
            raise forms.ValidationError(_("排序不能重复。"))
        return cleaned

    @property
    def ranks(self):
        return {a.pk: self.cleaned_data[f"rank_{a.pk}"] for a in self.applications}
