"""Settings for the load benchmark only: the portal's own settings plus the bare comparison view.

The bare view is routed only here (ROOT_URLCONF = bench.urls, BENCH_VIEWS on), never in production.
"""

from portal.settings import *  # noqa: F403

BENCH_VIEWS = True
ROOT_URLCONF = "bench.urls"
