"""Operator console for this app (tenant-scoped)."""
