"""The portal's URLs plus /bench/bare: the base template rendered with no database query."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    """The same base template every page extends, for an anonymous visitor: no session, no query."""
    if not getattr(settings, "BENCH_VIEWS", False):
        raise Http404
    return render(request, "base.html")


urlpatterns = [path("bench/bare", bare, name="bench_bare"), *portal_urlpatterns]
