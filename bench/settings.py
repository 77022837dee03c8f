"""Production settings plus the bench-only URLconf (the bare baseline view lives only there).

Everything else is ``vislivis.settings.production`` as deployed: DEBUG off, persistent
connections, Redis cache and throttles at their production rates.
"""

from vislivis.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
