"""visitorsflow.conf reads the environment as the settings do: an empty value is the default."""

from __future__ import annotations

from visitorsflow import conf


def test_an_empty_value_is_the_default(monkeypatch):
    monkeypatch.setenv("VISITORSFLOW_EXPORT_TIMEOUT_SECONDS", "")
    monkeypatch.setenv("VISITORSFLOW_WATCH_POLLING", "")
    assert conf.get("VISITORSFLOW_EXPORT_TIMEOUT_SECONDS") == 10.0
    assert conf.get("VISITORSFLOW_WATCH_POLLING") is False


def test_a_set_value_is_read_with_its_type(monkeypatch):
    monkeypatch.setenv("VISITORSFLOW_EXPORT_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("VISITORSFLOW_EXPORT_MAX_RETRIES", "7")
    assert conf.get("VISITORSFLOW_EXPORT_TIMEOUT_SECONDS") == 0.5
    assert conf.get("VISITORSFLOW_EXPORT_MAX_RETRIES") == 7
