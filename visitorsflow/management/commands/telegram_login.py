"""``manage.py telegram_login``: log the alerting Telegram user account in once, store the session."""

from __future__ import annotations

import getpass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from visitorsflow import telegram


class Command(BaseCommand):
    help = "Interactive Telegram login (phone, code, optional 2FA password); stores the session in the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phone", default="", help="Defaults to TELEGRAM_PHONE.")
        parser.add_argument(
            "--session-string",
            default="",
            help="Store an existing Telethon StringSession instead of logging in (no prompt).",
        )

    def handle(self, *args, phone: str, session_string: str, **options) -> None:
        if not settings.TELEGRAM_API_ID or not settings.TELEGRAM_API_HASH:
            raise CommandError("TELEGRAM_API_ID and TELEGRAM_API_HASH must be set (my.telegram.org → API development)")
        phone = phone or settings.TELEGRAM_PHONE
        if session_string:
            telegram.save_session(session_string.strip(), phone)
            self.stdout.write("Telegram session stored.")
            return
        if not phone:
            raise CommandError("--phone or TELEGRAM_PHONE is required")
        session, user = telegram.login(
            phone,
            code_callback=lambda: input("Code Telegram sent you: ").strip(),
            password_callback=lambda: getpass.getpass("Two-step verification password (if set): "),
        )
        telegram.save_session(session, phone)
        self.stdout.write(f"Logged in as {user}; session stored. Alerts will now be sent.")
