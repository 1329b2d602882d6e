"""Send an edition by e-mail: the text and HTML exports as one multipart message over SMTP
(config.toml [smtp]), or written to an .eml file in a dry run."""

from __future__ import annotations

import os
from pathlib import Path

from curator.errors import CuratorError
from curator.roundup.email_message import check_addresses, edition_message
from curator.roundup.views import Delivery
from curator.safe_files import atomic_write
from curator.services.roundup_service import RoundupService
from curator.services.service_base import ServiceBase, ServiceContext

DRY_RUN_SENDER = "curator@localhost"


class MailService(ServiceBase):
    def __init__(self, context: ServiceContext, roundup: RoundupService) -> None:
        super().__init__(context)
        self.roundup = roundup  # the exports are the roundup's

    def send(self, to: list[str] | None = None, number: int | None = None,
             dry_run: str | os.PathLike[str] | None = None,
             subject: str | None = None) -> Delivery:
        """Send edition `number` (default: the draft, else the latest) to `to` (default:
        [smtp] to). With `dry_run`, write the message to that .eml file and send nothing."""
        smtp = self.settings.smtp
        recipients = check_addresses(list(to or smtp.to))
        view = self.roundup.get_edition(number)
        sender = smtp.sender or smtp.user
        if dry_run is None and not smtp.host:
            raise CuratorError("no SMTP server: set [smtp] host in config.toml (see `curator "
                               "paths`), or use --dry-run to write the message to a file")
        if sender is None and dry_run is None:
            raise CuratorError("set [smtp] from in config.toml: the address the edition comes "
                               "from")
        message = edition_message(subject or view.info.title,
                                  self.roundup.export_edition("txt", view.info.number),
                                  self.roundup.export_edition("html", view.info.number),
                                  sender or DRY_RUN_SENDER, recipients)
        data = message.as_bytes()
        if dry_run is not None:
            path = atomic_write(Path(dry_run), data, error=CuratorError)
            return Delivery(view.info.number, str(message["Subject"]), recipients, [],
                            str(path), len(data))
        from curator.outbox.smtp import send_message  # smtplib and TLS: only when sending

        refused = send_message(message, recipients, smtp, self.network().ssl_context())
        return Delivery(view.info.number, str(message["Subject"]), recipients, refused, None,
                        len(data))
