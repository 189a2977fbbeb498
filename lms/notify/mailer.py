"""Building and sending e-mail with the standard library (``email`` and ``smtplib``).

One message is multipart/alternative: the plain text first, then the HTML (no images, no
tracking pixel, no remote content). Every message that a person may turn off carries a
one-click unsubscribe for its kind (RFC 8058: ``List-Unsubscribe`` with an https address and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``).
"""
from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from types import TracebackType

from ..core.notify import SmtpSettings
from ..models import utcnow

TIMEOUT_SECONDS = 20


def build(*, sender: str, to: str, to_name: str, subject: str, text: str, html: str, language: str,
          unsubscribe_url: str | None = None, reference: str | None = None) -> EmailMessage:
    """The message, ready for :meth:`Connection.send`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=to_name, addr_spec=to) if to_name else to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    domain = sender.rsplit("@", 1)[-1].strip("> ") or None
    message["Message-ID"] = make_msgid(idstring=reference, domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders do not answer it
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    message["Content-Language"] = language  # after the body: set_content replaces Content-* headers
    return message


class SmtpRefused(Exception):
    """The server refused the message; ``code`` is its reply code when it gave one."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class Connection:
    """One SMTP session for a batch of messages (opened on first use, closed at the end)."""

    def __init__(self, settings: SmtpSettings, timeout: float = TIMEOUT_SECONDS):
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=self.timeout)
            if settings.security == "starttls":
                smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server; raises :class:`SmtpRefused` when it is not accepted."""
        try:
            if self._smtp is None:
                self._smtp = self._open()
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code = next((code for code, _ in exc.recipients.values()), None)
            self.close()
            raise SmtpRefused(f"recipient refused: {exc.recipients}", code) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise SmtpRefused(f"{exc.smtp_code} {exc.smtp_error!r}", exc.smtp_code) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SmtpRefused(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            code = next((code for code, _ in refused.values()), None)
            raise SmtpRefused(f"recipient refused: {refused}", code)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
