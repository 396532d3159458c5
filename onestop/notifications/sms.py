"""The SMS gateway interface. A deployment names its gateway class in
``ONESTOP_SMS_GATEWAY`` (a dotted path); the default only logs, with the number masked."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from onestop.identity.masking import mask_phone

log = logging.getLogger("onestop.sms")


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str) -> str:
        """Send ``text`` to ``phone``; return the gateway's message id or raise on failure."""
        ...


class LoggingSmsGateway:
    """Writes each message to the ``onestop.sms`` log instead of sending it."""

    def send(self, *, phone: str, text: str) -> str:
        log.info("SMS to %s: %s", mask_phone(phone), text)
        return "logged"


def gateway() -> SmsGateway:
    path = getattr(settings, "ONESTOP_SMS_GATEWAY", "") or (
        "onestop.notifications.sms.LoggingSmsGateway"
    )
    gateway_class: type[SmsGateway] = import_string(path)
    return gateway_class()
