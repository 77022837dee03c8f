"""Where the panel address and credentials come from: flags, then environment, then a TOML file.

Passwords belong in a file readable only by the sender's user, not in the crontab (where
``ps`` and ``crontab -l`` show them). The seed's defaults (``http://127.0.0.1:5000``,
``boyner``/``boyner``) still apply when nothing is configured, so its command lines work as
written.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

try:  # Python 3.11+
    import tomllib
except ImportError:  # 3.8-3.10: tomli when installed, else the reader for the documented subset
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ImportError:
        from senders import toml_subset as tomllib  # type: ignore[no-redef]

from senders.client import Credentials
from senders.spool import default_spool_dir

DEFAULT_URL = "http://127.0.0.1:5000"
DEFAULT_USERNAME = "boyner"  # the seed's scripts' defaults
DEFAULT_PASSWORD = "boyner"
CONFIG_NAME = "vislivis-sender.toml"
ENV_PREFIX = "VISLIVIS_"


class ConfigError(ValueError):
    """A configuration problem the user must fix (exit code 2)."""


@dataclass
class Settings:
    url: str
    credentials: Credentials
    credentials_explicit: bool  # False when only the seed's defaults apply
    store: str | None
    spool_dir: Path
    timeout: float
    retries: int
    config_path: Path | None
    config: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def find_config(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    """``--config``, ``$VISLIVIS_SENDER_CONFIG``, ``./vislivis-sender.toml``, ``~/.config/vislivis/sender.toml``."""
    if explicit:
        return Path(explicit)
    if env.get("VISLIVIS_SENDER_CONFIG"):
        return Path(env["VISLIVIS_SENDER_CONFIG"])
    local = Path.cwd() / CONFIG_NAME
    if local.is_file():
        return local
    home = env.get("XDG_CONFIG_HOME") or (str(Path(env["HOME"]) / ".config") if env.get("HOME") else None)
    if home and (Path(home) / "vislivis" / "sender.toml").is_file():
        return Path(home) / "vislivis" / "sender.toml"
    return None


def load_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from None
    for section in ("panel", "spool", "hourly"):
        if section in data and not isinstance(data[section], dict):
            raise ConfigError(f"config {path}: [{section}] must be a table")
    return data


def _read_secret_file(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} file {path}: {exc.strerror or exc}") from None


def _number(value: Any, name: str, kind: type) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if number < 0:
        raise ConfigError(f"{name} must not be negative")
    return number


def resolve(args: Any, env: Mapping[str, str]) -> Settings:
    """Combine flags (``args``), environment and config file; the first that names a value wins."""
    config_path = find_config(getattr(args, "config", None), env)
    config = load_config(config_path)
    panel = config.get("panel", {})
    warnings: list[str] = []

    def pick(flag: str, env_name: str, key: str) -> Any:
        value = getattr(args, flag, None)
        if value is None:
            value = env.get(ENV_PREFIX + env_name) or None
        if value is None:
            value = panel.get(key)
        return value

    url = pick("url", "URL", "url") or DEFAULT_URL
    if not str(url).startswith(("http://", "https://")):
        raise ConfigError(f"--url must start with http:// or https://, got {url!r}")
    token = pick("token", "TOKEN", "token")
    if token is None and panel.get("token_file"):
        token = _read_secret_file(panel["token_file"], "token")
    username = pick("username", "USERNAME", "username")
    password = pick("password", "PASSWORD", "password")
    if password is None and env.get(ENV_PREFIX + "PASSWORD_FILE"):
        password = _read_secret_file(env[ENV_PREFIX + "PASSWORD_FILE"], "password")
    if password is None and panel.get("password_file"):
        password = _read_secret_file(panel["password_file"], "password")
    explicit = token is not None or username is not None or password is not None
    if ("password" in panel or "token" in panel) and config_path is not None and sys.platform != "win32":
        mode = config_path.stat().st_mode
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            warnings.append(f"{config_path} holds a password and is readable by others: chmod 600 {config_path}")
    credentials = Credentials(
        username=None if token else str(username if username is not None else DEFAULT_USERNAME),
        password=None if token else str(password if password is not None else DEFAULT_PASSWORD),
        token=str(token) if token else None,
    )
    spool_dir = (
        getattr(args, "spool_dir", None)
        or env.get(ENV_PREFIX + "SPOOL_DIR")
        or config.get("spool", {}).get("dir")
        or default_spool_dir()
    )
    timeout = _number(pick("timeout", "TIMEOUT", "timeout") or 15, "timeout", float)
    retries = pick("retries", "RETRIES", "retries")
    return Settings(
        url=str(url).rstrip("/"),
        credentials=credentials,
        credentials_explicit=explicit,
        store=pick("store", "STORE", "store"),
        spool_dir=Path(os.path.expanduser(str(spool_dir))),
        timeout=timeout or 15.0,
        retries=_number(2 if retries is None else retries, "retries", int),
        config_path=config_path,
        config=config,
        warnings=warnings,
    )
