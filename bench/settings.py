"""Settings for `make bench`: the app's own, plus two trivial views to measure against."""

from ideastorm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The benchmarks run on the demo board and log its members in.
IDEASTORM_DEMO = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
