"""Telegram through Telethon with a user account: the only module that touches Telethon.

The session (a Telethon ``StringSession``) is stored in the database by ``manage.py
telegram_login``; workers only reuse it and never log in (a login needs a human for the code).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from django.conf import settings
from telethon import TelegramClient
from telethon.sessions import StringSession

from visitorsflow.models import TelegramSession

SESSION_NAME = "default"


class TelegramNotConfigured(Exception):
    """Sending is impossible until the settings and a stored session exist."""


def stored_session() -> str:
    row = TelegramSession.objects.filter(name=SESSION_NAME).first()
    return row.session if row else ""


def missing_configuration() -> str:
    """Why Telegram cannot send, or "" when it can."""
    if not settings.TELEGRAM_API_ID or not settings.TELEGRAM_API_HASH:
        return "TELEGRAM_API_ID and TELEGRAM_API_HASH are not set"
    if not stored_session():
        return "no Telegram session stored (run manage.py telegram_login)"
    return ""


def recipient_entity(recipient: str) -> str | int:
    """A numeric chat id becomes an int (Telethon's peer id); usernames and phones stay text."""
    bare = recipient.lstrip("-")
    return int(recipient) if bare.isdigit() and not recipient.startswith("+") else recipient


def _client(session: str) -> TelegramClient:
    # flood_sleep_threshold=0: every FloodWait surfaces as FloodWaitError, and the Celery task waits
    # it out with a retry countdown instead of blocking a worker inside Telethon.
    return TelegramClient(
        StringSession(session), settings.TELEGRAM_API_ID, settings.TELEGRAM_API_HASH, flood_sleep_threshold=0
    )


def send_message(recipient: str, text: str) -> None:
    """Send one message (the boundary tests replace). Raises Telethon's errors as they come."""
    session = stored_session()
    if missing_configuration():
        raise TelegramNotConfigured(missing_configuration())

    async def run() -> None:
        client = _client(session)
        await client.connect()
        try:
            if not await client.is_user_authorized():
                raise TelegramNotConfigured("the stored Telegram session is no longer authorised")
            await client.send_message(recipient_entity(recipient), text)
        finally:
            await client.disconnect()

    asyncio.run(run())


def login(phone: str, code_callback: Callable[[], str], password_callback: Callable[[], str]) -> tuple[str, str]:
    """Interactive login (code sent by Telegram, optional 2FA password) → (session string, user)."""

    async def run() -> tuple[str, str]:
        client = TelegramClient(StringSession(), settings.TELEGRAM_API_ID, settings.TELEGRAM_API_HASH)
        await client.start(phone=lambda: phone, code_callback=code_callback, password=password_callback)
        try:
            me = await client.get_me()
            return client.session.save(), getattr(me, "username", None) or str(getattr(me, "id", ""))
        finally:
            await client.disconnect()

    return asyncio.run(run())


def save_session(session: str, phone: str) -> TelegramSession:
    row, _ = TelegramSession.objects.update_or_create(name=SESSION_NAME, defaults={"session": session, "phone": phone})
    return row
