"""`{% nav_links user.role %}`: the navigation bar's links for a role, built once per role, language and
URL configuration in each process (they depend on nothing else; about a tenth of a signed-in page's
template time was spent reversing and translating them). `{{ user|role_label }}`: the role's name
without get_role_display(), which translates every role's label on each call."""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html_join
from django.utils.translation import get_language, gettext, gettext_noop

from accounts.enums import Role, choice_label

register = template.Library()

# (url name, label, roles that see it; None for every signed-in role), in the bar's order.
LINKS = (
    ("home", gettext_noop("我的工作台"), None),
    ("zones:mine", gettext_noop("我的实验区"), {Role.APPLICANT}),
    ("zones:index", gettext_noop("实验区建设"), {Role.PROVINCIAL, Role.NATIONAL}),
    ("zones:activities", gettext_noop("交流活动"), {Role.APPLICANT, Role.PROVINCIAL, Role.NATIONAL}),
    ("documents:exports", gettext_noop("我的导出"), None),
    ("api:tokens", gettext_noop("接口令牌"), None),
)
_built: dict[tuple, str] = {}


@register.simple_tag
def nav_links(role):
    key = (role, get_language(), get_urlconf(), get_script_prefix())
    html = _built.get(key)
    if html is None:
        html = _built[key] = format_html_join(
            "", '<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>',
            ((reverse(name), gettext(label)) for name, label, roles in LINKS if roles is None or role in roles))
    return html


@register.filter
def role_label(user):
    return choice_label(Role, user.role)
