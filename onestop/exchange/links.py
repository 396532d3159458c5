"""The address printed on a certificate and encoded in its QR code: one function builds it,
so that the printed link and the QR code's link are the same string."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.http import urlencode


def verify_url(*, number: str, code: str, absolute: Callable[[str], str]) -> str:
    """``https://host/verify/?number=<number>&code=<code>``: ``absolute`` turns the path
    into a full address (``request.build_absolute_uri``)."""
    return absolute(reverse("exchange:verify") + "?" + urlencode({"number": number, "code": code}))
