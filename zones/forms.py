"""Forms of the zones: every error sits at its field, in the user's language, with what was typed kept."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from review import numbers
from review.experts.forms import BootstrapMixin, ScoreForm

from .enums import TASKS, AcceptanceRecommendation
from .models import IndicatorSet, QuarterlyReport
from .transitions import answer_version

ROWS = {"rows": 4}


class TransitionForm(forms.Form):
    """One step of a zone's, report's, indicator set's or rectification's workflow, from its table row."""

    expected_state = forms.CharField(widget=forms.HiddenInput)
    opinion = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=5000)

    def __init__(self, transition, obj, *args, user=None, **kwargs):
        self.transition_row = transition
        kwargs.setdefault("prefix", transition.name)
        kwargs.setdefault("initial", {"expected_state": obj.state})
        super().__init__(*args, **kwargs)
        self.fields["opinion"].label = transition.opinion_label
        self.fields["opinion"].required = transition.opinion_required
        if transition.opinion_required:
            self.fields["opinion"].error_messages["required"] = _("请填写%(label)s。") % {
                "label": transition.opinion_label}
        extras = {
            "document_number": forms.CharField(label=_("验收意见文号"), max_length=64, required=False),
            "rectify_by": forms.DateField(label=_("整改期限"), required=False,
                                          widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                                          error_messages={"invalid": _("请输入有效日期，例如 2027-06-30。")}),
            # The answer as this person loaded it (workflow.editing): a stale form never overwrites.
            "loaded": forms.CharField(widget=forms.HiddenInput, required=False),
        }
        for name in transition.inputs:
            self.fields[name] = extras[name]
            self.fields[name].required = name in transition.required_inputs
            if self.fields[name].required:
                self.fields[name].error_messages["required"] = _("请填写%(label)s。") % {
                    "label": self.fields[name].label}
        if "document_number" in self.fields and user is not None:
            suggestion = numbers.proposed(numbers.issuer_of(user))
            if suggestion:
                field = self.fields["document_number"]
                field.initial = suggestion
                field.help_text = _("形式为“机关代字〔年份〕序号号”，与批复同一文号序列；本机关下一个可用文号为“%(next)s”。") % {
                    "next": suggestion}
                if not field.required:
                    field.help_text += str(_("留空则使用该文号。"))
        if "loaded" in self.fields:
            self.fields["loaded"].initial = answer_version(obj)

    @property
    def extra(self):
        return {name: self.cleaned_data.get(name) for name in self.transition_row.inputs
                if self.cleaned_data.get(name) not in (None, "")}

    def apply_error(self, error):
        for name, message in error.field_errors.items():
            if name in self.fields:
                self.add_error(name, message)
        general = error.message
        for message in error.field_errors.values():
            general = general.replace(message, "").strip()
        if general:
            self.add_error(None, general)


class ReportForm(BootstrapMixin, forms.ModelForm):
    """The quarterly report's draft: progress on each of the guide's six tasks, work, problems, plans."""

    class Meta:
        model = QuarterlyReport
        fields = (*TASKS, "work_done", "problems", "next_plan")
        widgets = {name: forms.Textarea(attrs=ROWS) for name in (*TASKS, "work_done", "problems", "next_plan")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TASKS:
            self.fields[name].label = Application._meta.get_field(name).verbose_name
            self.fields[name].help_text = _("本季度该项任务的进展")
        for field in self.fields.values():
            field.required = False
        self.style()


class IndicatorForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = IndicatorSet
        fields = ("gross_output", "patented_sales", "rd_spending", "resident_enterprises", "patents_per_10k",
                  "industry_patents", "invention_patents", "pledge_financing", "standards", "service_staff")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.widget.attrs["inputmode"] = "decimal"
            field.error_messages.update({
                "invalid": _("请输入数字，例如 1234.56。"),
                "min_value": _("不能为负数。"),
                "max_digits": _("数字位数过多。"),
                "max_decimal_places": _("最多保留两位小数。"),
                "max_whole_digits": _("数字过大。"),
            })
            if isinstance(field, forms.DecimalField):
                field.min_value = 0
                field.validators.append(_non_negative)
        self.style()


def _non_negative(value):
    if value is not None and value < 0:
        raise forms.ValidationError(_("不能为负数。"))


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("文件（PDF、JPEG 或 PNG）"), error_messages={"required": _("请选择要上传的文件。")})
    title = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class StudyForm(UploadForm):
    institution = forms.CharField(label=_("研究机构"), max_length=200,
                                  error_messages={"required": _("请填写研究机构。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True
        self.fields["title"].label = _("报告名称")
        self.fields["title"].error_messages["required"] = _("请填写报告名称。")


class InspectionForm(BootstrapMixin, forms.Form):
    inspected_on = forms.DateField(label=_("检查日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                                   error_messages={"required": _("请填写检查日期。"),
                                                   "invalid": _("请输入有效日期，例如 2027-06-30。")})
    inspectors = forms.CharField(label=_("检查人员"), max_length=300, error_messages={"required": _("请填写检查人员。")})
    findings = forms.CharField(label=_("检查发现"), max_length=10000, widget=forms.Textarea(attrs=ROWS),
                               error_messages={"required": _("请填写检查发现。")})
    requirement = forms.CharField(label=_("整改要求（如需整改）"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                               error_messages={"invalid": _("请输入有效日期，例如 2027-06-30。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class SummaryForm(BootstrapMixin, forms.Form):
    summary = forms.CharField(label=_("总结报告"), max_length=50000, required=False,
                              widget=forms.Textarea(attrs={"rows": 12}),
                              help_text=_("建设期工作总结：目标完成情况、六项任务落实情况、政策措施与经费投入、存在问题。"))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["summary"].label = label
        self.style()


class AcceptanceScoreForm(ScoreForm):
    """The application review's score form with the acceptance's recommendations."""

    recommendation = forms.ChoiceField(label=_("总体建议"), required=False, widget=forms.RadioSelect,
                                       choices=AcceptanceRecommendation.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = _("请写明对实验区建设成效的总体评价、主要不足和整改建议。")


class AutoAssignForm(BootstrapMixin, forms.Form):
    per_round = forms.IntegerField(label=_("分配专家数"), min_value=1, max_value=15,
                                   error_messages={"required": _("请填写分配专家数。")})
    deadline = forms.DateTimeField(label=_("评审截止时间"), required=False,
                                   widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                   error_messages={"invalid": _("请输入有效时间。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ActivityForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=200, error_messages={"required": _("请填写活动名称。")})
    starts_at = forms.DateTimeField(label=_("活动时间"), widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                    error_messages={"required": _("请填写活动时间。"), "invalid": _("请输入有效时间。")})
    place = forms.CharField(label=_("地点"), max_length=200, error_messages={"required": _("请填写地点。")})
    registration_deadline = forms.DateTimeField(
        label=_("报名截止时间"), required=False, widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], error_messages={"invalid": _("请输入有效时间。")})
    body = forms.CharField(label=_("活动通知"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": _("请填写活动通知。")})
    zones = forms.ModelMultipleChoiceField(label=_("参加的实验区（不选则面向全部实验区）"), required=False,
                                           queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, zones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = zones
        self.style()


class RegistrationForm(BootstrapMixin, forms.Form):
    attendees = forms.CharField(label=_("参会人员（姓名、职务，每行一人）"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                error_messages={"required": _("请填写参会人员。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
