"""Fixtures for the sender client: it runs in-process (``main(argv)``) against pytest-django's
live server, with its own spool folder, no real sleeping and no environment leaking in."""

from __future__ import annotations

import json
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from senders.cli import main
from tests.factories import PASSWORD

EXAMPLES = Path(__file__).resolve().parents[2] / "senders" / "examples"


@dataclass
class Run:
    code: int
    out: str
    err: str


def closed_port() -> int:
    """A local port nothing listens on: bound, then closed (connections are refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def spool_dir(tmp_path) -> Path:
    return tmp_path / "spool"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def payloads(tmp_path) -> Path:
    """The seed's payload files, copied so a test may edit them."""
    folder = tmp_path / "data_sender"
    shutil.copytree(EXAMPLES, folder)
    return folder


@pytest.fixture
def write_json(tmp_path):
    def write(data, name: str = "payload_temp.json") -> str:
        path = tmp_path / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def down_url() -> str:
    return f"http://127.0.0.1:{closed_port()}"


@pytest.fixture
def sender(capsys, spool_dir, sleeps):
    """``sender(*argv, url=..., user=..., password=...)`` → Run; the seed's flags, in-process."""

    def run(*argv: str, url: str | None = None, user: str | None = "boyner", password: str | None = PASSWORD, **kw):
        args = list(argv)
        if url is not None:
            args += ["--url", url]
        if user is not None:
            args += ["-u", user]
        if password is not None:
            args += ["-p", password]
        args += ["--spool-dir", str(spool_dir)]
        kw.setdefault("env", {})
        kw.setdefault("sleep", sleeps.append)
        code = main(args, **kw)
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run
