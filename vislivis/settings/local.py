"""The embedded default: a laptop or a demo, nothing external needed."""

from vislivis.settings.base import *  # noqa: F403
from vislivis.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
# A fixed development key keeps sessions across restarts; production refuses to start without one.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405
# Store PCs on the LAN post to the panel's address (the seed's --url http://192.168.1.100:5000).
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
# The demo's simulated rig and cameras listen on loopback; production allows nothing internal
# unless listed (vislivis/outbound.py). Comma-separated CIDRs, addresses or host names.
OUTBOUND_ALLOWED_NETWORKS = env.list("OUTBOUND_ALLOWED_NETWORKS", default=[]) or ["127.0.0.0/8", "::1"]
