"""Settings split by profile: ``local`` (embedded default), ``test``, ``production``."""
