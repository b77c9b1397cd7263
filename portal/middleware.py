from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from audit.client import PROXY_HEADERS, is_trusted_proxy
from typography import fullwidth_html


class TrustedProxyMiddleware:
    """First in the chain: forwarding headers (X-Forwarded-Proto for SECURE_PROXY_SSL_HEADER,
    X-Forwarded-For for the client address) count only when they come from a configured trusted
    proxy. From anyone else they are dropped, so a client reaching gunicorn directly cannot claim
    HTTPS or another address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in PROXY_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header; scripts only from the portal itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose another language (the set_language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
    browser on a government intranet would get English pages; the portal is Chinese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class ChinesePunctuationMiddleware:
    """GB/T 15834 on Chinese pages: the text of zh-hans HTML responses gets full-width punctuation
    (typography.fullwidth_html: text nodes only, never tags, attribute values, <script>, <style>, <pre>
    or <textarea>, so what a user typed into a form reaches the form unchanged). Source strings keep
    their ASCII marks. Costs about 0.3 ms on a 50 kB page (bench/README.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.streaming or not (translation.get_language() or "").startswith("zh")
                or not response.get("Content-Type", "").startswith("text/html")
                or response.get("Content-Encoding")):
            return response
        charset = response.charset or "utf-8"
        html = response.content.decode(charset)
        converted = fullwidth_html(html)
        if converted is not html:
            response.content = converted.encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
