"""GB/T 15834 punctuation: the one function (typography), where it is applied (the PDF engine, a
middleware on Chinese pages, messages), and a walk over every page of every demo role and every PDF
kind of the demo data that fails on an ASCII ,:;()!? next to a CJK character in visible text."""

import re
from html.parser import HTMLParser
from io import BytesIO

import pdfplumber
import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils.translation import override

from accounts.demo import ACCOUNTS
from applications.models import Application
from documents import services as document_services
from documents.enums import DocumentFormat
from documents.enums import DocumentKind as K
from documents.models import Document
from documents.production import render
from documents.sources import SPECS
from notifications.services import Message, notify
from portal.middleware import ChinesePunctuationMiddleware
from review.transitions import TRANSITIONS, available
from typography import chinese_date, fullwidth, fullwidth_html

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60\u201c\u201d"
ASCII_BESIDE_CJK = re.compile(rf"[{CJK}][,:;()!?]|[,:;()!?][{CJK}]")


@pytest.mark.parametrize(("text", "expected"), [
    ("山东省知识产权局:", "山东省知识产权局\uff1a"),
    ("工作,实验区", "工作\uff0c实验区"),
    ("(亿元)", "\uff08亿元\uff09"),
    ("第1版(报送日期:2026-05-10)", "第1版\uff08报送日期\uff1a2026-05-10\uff09"),
    ("苏州, 南京", "苏州\uff0c南京"),
    ("你好!好吗?", "你好\uff01好吗\uff1f"),
    ("条件(a)说明;", "条件\uff08a\uff09说明\uff1b"),
    # Numbers, times, URLs, e-mail addresses and English stay as they are.
    ("共3,000.50万元", "共3,000.50万元"), ("10:30开会", "10:30开会"), ("见http://a.cn/x,y 中文", "见http://a.cn/x,y 中文"),
    ("邮箱a@b.cn", "邮箱a@b.cn"), ("Hello, world (test)!", "Hello, world (test)!"), ("(a)", "(a)"),
])
def test_fullwidth(text, expected):
    assert fullwidth(text) == expected


def test_fullwidth_html_changes_text_nodes_only():
    html = ('<p title="中,文" style="width:calc(1px)">中文,好(<b>粗</b>)</p><textarea>用户,输入</textarea>'
            '<input value="用户,输入"><script>var a = "中,文";</script><pre>代码:1</pre>&quot;中文&quot;;'
            '<!-- 注释,不变 -->')
    out = fullwidth_html(html)
    assert '<p title="中,文" style="width:calc(1px)">中文\uff0c好\uff08<b>粗</b>\uff09</p>' in out
    for kept in ("<textarea>用户,输入</textarea>", 'value="用户,输入"', 'var a = "中,文";', "<pre>代码:1</pre>",
                 "&quot;中文&quot;", "<!-- 注释,不变 -->"):
        assert kept in out, kept


def test_chinese_dates():
    assert chinese_date("2026-05-10") == "2026\u5e745\u670810\u65e5"
    assert chinese_date("") == ""


@pytest.mark.django_db
def test_chinese_pages_get_full_width_marks_and_english_pages_do_not(client, applicant):
    notify([applicant], Message("提醒:材料(第1版)已收到", "请于10:30前确认,见http://example.invalid/a,b 页面!"))
    client.force_login(applicant)
    zh = client.get("/inbox/").content.decode()
    assert "提醒\uff1a材料\uff08第1版\uff09已收到" in zh
    assert "请于10:30前确认\uff0c见http://example.invalid/a,b 页面\uff01" in zh
    assert not ascii_marks(visible_text(zh))


def test_the_middleware_changes_only_chinese_html():
    def respond(content_type):
        return lambda request: HttpResponse("<p>中文,好</p><textarea>中,文</textarea>", content_type=content_type)

    for language, content_type, expected in (("zh-hans", "text/html", "<p>中文\uff0c好</p>"),
                                             ("en", "text/html", "<p>中文,好</p>"),
                                             ("zh-hans", "application/json", "<p>中文,好</p>")):
        with override(language):
            body = ChinesePunctuationMiddleware(respond(content_type))(RequestFactory().get("/")).content.decode()
        assert body.startswith(expected) and body.endswith("<textarea>中,文</textarea>"), (language, content_type)


class _Visible(HTMLParser):
    SKIP = {"script", "style", "textarea", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.texts = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.texts.append(data)


def visible_text(html):
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.texts)


def ascii_marks(text):
    return [text[max(0, m.start() - 12):m.end() + 12] for m in ASCII_BESIDE_CJK.finditer(text)]


LINK = re.compile(r'href="(/[^"#?]*)')
NOT_PAGES = ("/static/", "/accounts/logout", "/i18n/", "/favicon", "/healthz")
PAGES_PER_ROLE = 80


def crawl(client, start="/"):
    """Every page reachable by links from the start page (GET, same site), up to a bound."""
    seen, queue, pages = {start}, [start], {}
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.pop(0)
        response = client.get(url, follow=True)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        pages[url] = html
        for link in LINK.findall(html):
            if link not in seen and not link.startswith(NOT_PAGES) and "/download/" not in link:
                seen.add(link)
                queue.append(link)
    return pages


@pytest.fixture
def demo(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=BytesIO_text())


class BytesIO_text:  # noqa: N801 - a throwaway stdout
    def write(self, _text):
        return None

    def flush(self):
        return None


@pytest.mark.django_db
def test_every_page_of_every_demo_role_and_every_pdf_have_chinese_punctuation(demo, django_user_model):
    found = {}
    for username, *_rest in [*ACCOUNTS, ("expert",)]:
        client = Client()
        client.force_login(django_user_model.objects.get(username=username))
        pages = crawl(client)
        assert len(pages) >= 2, username
        # The confirmation page of every step that asks for one, with its draft letter.
        user = django_user_model.objects.get(username=username)
        for application in Application.objects.all():
            for transition in available(application, user):
                if transition.confirm:
                    response = client.post(f"/applications/{application.pk}/transition/", {
                        "transition": transition.name, f"{transition.name}-expected_state": application.state,
                        f"{transition.name}-opinion": "经审核,同意(见附件):请按要求办理!"})
                    pages[f"confirm {transition.name} {application.pk}"] = response.content.decode()
        for url, html in pages.items():
            bad = ascii_marks(visible_text(html))
            if bad:
                found[f"{username} {url}"] = bad[:5]
    # Every PDF kind of the demo (the seed renders the issued ones; drafts are rendered here).
    draft = Application.objects.filter(state="draft").first()
    for kind in (K.DRAFT_APPLICATION_FORM, K.DRAFT_COMMITMENT):
        render(document_services.request_document(kind, application=draft).pk)
    kinds = set()
    for document in Document.objects.filter(status="ready", format=DocumentFormat.PDF):  # exports are tables
        kinds.add(document.kind)
        with document.file.open("rb") as handle, pdfplumber.open(BytesIO(handle.read())) as pdf:
            for n, page in enumerate(pdf.pages, 1):
                bad = ascii_marks(page.extract_text() or "")
                if bad:
                    found[f"{document.kind} page {n}"] = bad[:5]
    assert kinds >= {k.value for k, spec in SPECS.items() if spec.format == DocumentFormat.PDF}, kinds
    assert not found, found


def test_transition_opinions_say_where_their_text_appears():
    from review.forms import OPINION_HELP  # noqa: PLC0415 - kept beside the test that reads it

    with override("zh-hans"):
        assert {name for name, t in TRANSITIONS.items() if t.opinion_required} <= set(OPINION_HELP)
