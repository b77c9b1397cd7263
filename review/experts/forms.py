"""Forms of the expert review: every error sits at its field, in the user's language."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from ..enums import Recommendation
from ..models import Criterion
from .queries import in_expert_review, panel_experts, selectable_experts
from .services import conflict_reasons


def plain(value):
    """25.00 → 25, 12.50 → 12.5: numbers as people write them."""
    text = format(Decimal(value).normalize(), "f")
    return text


def off_step_message(value, step) -> str:
    """20.3 with a step of 0.5: say so, and name the two scores on either side (20 and 20.5)."""
    below = (value // step) * step
    return str(_("得分须按 %(step)s 分的步长填写:%(value)s 不可用,可填 %(below)s 或 %(above)s。") % {
        "step": plain(step), "value": plain(value), "below": plain(below), "above": plain(below + step)})


class BootstrapMixin:
    """Bootstrap classes on every input, and is-invalid plus aria-describedby where there is an error."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    def style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class ScoreForm(BootstrapMixin, forms.Form):
    """One Decimal per criterion (0..max), the overall recommendation and a written comment.

    Drafts may be partial; the final submit requires everything.
    """

    recommendation = forms.ChoiceField(label=_("总体建议"), required=False, widget=forms.RadioSelect,
                                       choices=Recommendation.choices)
    comment = forms.CharField(label=_("评审意见"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=_("请写明对建设方案的总体评价、主要不足和修改建议。"))

    def __init__(self, *args, criteria, final=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.final = final
        for c in self.criteria:
            self.fields[self.key(c)] = forms.DecimalField(
                label=str(c), required=False, min_value=Decimal("0"), max_value=c.max_score, max_digits=6,
                decimal_places=2, help_text=_("0 – %(max)s 分,步长 %(step)s") % {
                    "max": plain(c.max_score), "step": plain(c.step)},
                # data-weight: the page adds up Σ weight × score as the expert types (static/js/portal.js).
                widget=forms.NumberInput(attrs={"step": plain(c.step), "min": "0", "max": plain(c.max_score),
                                                "inputmode": "decimal", "data-weight": plain(c.weight)}),
                error_messages={
                    "max_value": _("得分不能超过满分 %(max)s 分。") % {"max": plain(c.max_score)},
                    "min_value": _("得分不能为负数。"),
                    "invalid": _("请输入数字,例如 18 或 18.5。"),
                    "max_decimal_places": _("得分最多保留两位小数。"),
                    "max_digits": _("得分不能超过满分 %(max)s 分。") % {"max": plain(c.max_score)},
                    "max_whole_digits": _("得分不能超过满分 %(max)s 分。") % {"max": plain(c.max_score)},
                },
            )
        self.order_fields([self.key(c) for c in self.criteria] + ["recommendation", "comment"])
        self.style()

    @staticmethod
    def key(criterion):
        return f"criterion_{criterion.pk}"

    @classmethod
    def initial_for(cls, score, criteria):
        if score is None:
            return {}
        values = {item.criterion_id: item.value for item in score.items.all()}
        initial = {"recommendation": score.recommendation, "comment": score.comment}
        for c in criteria:
            if c.pk in values:
                initial[cls.key(c)] = values[c.pk]
        return initial

    def criterion_fields(self):
        return [self[self.key(c)] for c in self.criteria]

    def clean(self):
        data = super().clean()
        for c in self.criteria:
            value = data.get(self.key(c))
            if value is not None and not c.on_step(value):
                self.add_error(self.key(c), off_step_message(value, c.step))
        if self.final:
            for c in self.criteria:
                if data.get(self.key(c)) is None and self.key(c) not in self.errors:
                    self.add_error(self.key(c), _("提交前请为此项打分。"))
            if not data.get("recommendation"):
                self.add_error("recommendation", _("提交前请选择总体建议。"))
            if not (data.get("comment") or "").strip():
                self.add_error("comment", _("评审意见为必填项。"))
        return data

    def values(self):
        return {c.pk: self.cleaned_data.get(self.key(c)) for c in self.criteria}


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        self.style()

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写理由。"))
        return reason


class PanelForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("评审专家组成员"), required=False, widget=forms.CheckboxSelectMultiple, queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = selectable_experts()
        self.fields["experts"].label_from_instance = lambda u: (
            f"{u}({u.organisation},{u.expert_profile.home_province},{u.expert_profile.field})")


class AutoAssignForm(BootstrapMixin, forms.Form):
    per_application = forms.IntegerField(label=_("每项申报分配专家数"), min_value=1, max_value=30)
    deadline = forms.DateTimeField(label=_("评审截止时间"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ManualAssignForm(BootstrapMixin, forms.Form):
    application = forms.ModelChoiceField(label=_("申报"), queryset=None)
    expert = forms.ModelChoiceField(label=_("专家"), queryset=None)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["application"].queryset = in_expert_review(call)
        self.fields["expert"].queryset = panel_experts(call)
        self.fields["expert"].label_from_instance = lambda u: (
            f"{u}({u.organisation},{u.expert_profile.home_province})")
        self.style()

    def clean(self):
        data = super().clean()
        application, expert = data.get("application"), data.get("expert")
        if application and expert:
            reasons = conflict_reasons(expert, application)
            if reasons:
                self.add_error("expert", _("存在利益冲突,不能分配:") + "".join(reasons))
        return data


class FiniteDecimalField(forms.DecimalField):
    """Refuses NaN and Infinity already when converting: Django's DecimalField lets "sNaN" through
    to_python, and the formset's has_changed() then compares it with the initial value, which raises
    InvalidOperation (a 500) instead of showing "请输入一个数字"."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not value.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class CriterionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["position", "name", "name_en", "description", "description_en", "weight", "max_score", "step"]
        field_classes = {"weight": FiniteDecimalField, "max_score": FiniteDecimalField, "step": FiniteDecimalField}
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "description_en": forms.Textarea(attrs={"rows": 2}),
                   "position": forms.NumberInput(attrs={"min": 0})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].required = False
        self.style()

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise forms.ValidationError(_("权重须大于 0。"))
        return weight

    def clean_max_score(self):
        value = self.cleaned_data["max_score"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("满分须大于 0。"))
        return value

    def clean_step(self):
        value = self.cleaned_data["step"]
        if value is None:  # left empty: the usual half point
            return Criterion._meta.get_field("step").default
        if value <= 0:
            raise forms.ValidationError(_("评分步长须大于 0。"))
        return value


CriterionFormSet = modelformset_factory(Criterion, form=CriterionForm, extra=1, can_delete=True)
