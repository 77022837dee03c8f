"""Credentials and URL from flags, environment or a config file: passwords out of the crontab."""

from __future__ import annotations

from stores.models import StoreHeartbeat
from tests.factories import PASSWORD


def test_environment_supplies_url_and_credentials(sender, live_server, sender_a, store_a):
    env = {"VISLIVIS_URL": live_server.url, "VISLIVIS_USERNAME": "boyner", "VISLIVIS_PASSWORD": PASSWORD}
    run = sender("heartbeat", "--once", user=None, password=None, env=env)
    assert run.code == 0, run.err
    assert StoreHeartbeat.objects.get(store=store_a).count == 1


def test_flags_win_over_environment(sender, live_server, sender_a, store_a):
    env = {"VISLIVIS_URL": live_server.url, "VISLIVIS_PASSWORD": "wrong"}
    assert sender("heartbeat", "--once", user=None, password=None, env=env).code == 3
    assert sender("heartbeat", "--once", user=None, password=PASSWORD, env=env).code == 0


def test_config_file_found_in_the_working_directory(sender, live_server, sender_a, store_a, tmp_path, monkeypatch):
    # cron: `cd /opt/vislivis/data_sender && python heartbeat_sender.py` picks up ./vislivis-sender.toml
    config = tmp_path / "vislivis-sender.toml"
    config.write_text(f'[panel]\nurl = "{live_server.url}"\npassword = "{PASSWORD}"\n', encoding="utf-8")
    config.chmod(0o644)
    monkeypatch.chdir(tmp_path)
    run = sender("heartbeat", "--once", user=None, password=None)
    assert run.code == 0, run.err  # sent; the warning is printed but is no failure (issue 18)
    assert StoreHeartbeat.objects.get(store=store_a).count == 1
    assert f"warning: {config} holds a password and is readable by others: chmod 600 {config}" in run.err


def test_token_authentication(sender, live_server, sender_a, store_a):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=sender_a)
    run = sender("heartbeat", "--once", "--token", token.key, url=live_server.url, user=None, password=None)
    assert run.code == 0, run.err
    assert StoreHeartbeat.objects.get(store=store_a).count == 1


def test_bad_config_is_a_usage_error(sender, tmp_path):
    config = tmp_path / "store.toml"
    config.write_text("[panel\nurl = 1", encoding="utf-8")
    run = sender("heartbeat", "--once", "--config", str(config))
    assert run.code == 2
    assert "is not valid TOML" in run.err


def test_url_must_be_http(sender):
    run = sender("heartbeat", "--once", url="panel.example.com")
    assert run.code == 2
    assert "--url must start with http:// or https://" in run.err
