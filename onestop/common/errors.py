"""Errors that services raise and that views and the API turn into responses.

Each carries a message in Chinese and in English, so every channel can show the one the
user reads.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request that the platform refuses, with a bilingual explanation."""

    status = 400
    code = "invalid"

    def __init__(self, zh: str, en: str, *, code: str | None = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        if code:
            self.code = code

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_zh": self.zh, "message_en": self.en}

    def message(self) -> str:
        """The explanation in the active language (the request's: cookie or Accept-Language)."""
        return pick_message(self.zh, self.en)


def pick_message(zh: str, en: str) -> str:
    """Of a message in both languages, the one in the active language."""
    from django.utils.translation import get_language

    return zh if (get_language() or "zh-hans").startswith("zh") else en


def with_message(body: dict[str, object]) -> dict[str, object]:
    """An error body that carries ``message_zh`` and ``message_en``, with ``message``: the
    one in the request's language (clients that show one text show that)."""
    zh, en = body.get("message_zh"), body.get("message_en")
    if isinstance(zh, str) and isinstance(en, str) and "message" not in body:
        return {**body, "message": pick_message(zh, en)}
    return body


class NotPermitted(ServiceError):
    """The actor may not do this; views answer 403, or 404 where existence is secret."""

    status = 403
    code = "forbidden"

    def __init__(
        self,
        zh: str = "无权执行此操作。",
        en: str = "You are not allowed to do this.",
        *,
        code: str | None = None,
    ) -> None:
        super().__init__(zh, en, code=code)


class NotFound(ServiceError):
    status = 404
    code = "not_found"

    def __init__(
        self, zh: str = "未找到。", en: str = "Not found.", *, code: str | None = None
    ) -> None:
        super().__init__(zh, en, code=code)


def both_languages(zh: str, en: str) -> dict[str, str]:
    """A text the platform records for later readers in each language, kept apart
    (``{"zh": ..., "en": ...}``, JSON-safe: case facts, process data)."""
    return {"zh": zh, "en": en}


def refusal_of(error: ServiceError) -> dict[str, str]:
    """A refusal's reasons as recorded (see ``both_languages``)."""
    return both_languages(error.zh, error.en)


def languages_of(value: object) -> tuple[str, str]:
    """The (Chinese, English) of a recorded text: ``{"zh", "en"}`` as ``both_languages``
    keeps it; a text recorded before that as one string "中文 English" is split after its
    last Chinese character (such records stay readable); anything else is itself twice."""
    if isinstance(value, dict):
        return str(value.get("zh") or value.get("en") or ""), str(
            value.get("en") or value.get("zh") or ""
        )
    text = str(value or "")
    from onestop.common.templatetags.one_language import split_bilingual

    zh, en = split_bilingual(text)
    return zh or en, en or zh


def in_language(value: object) -> str:
    """A recorded text (see ``languages_of``) in the active language."""
    return pick_message(*languages_of(value))


def messages_of(value: object) -> dict[str, str]:
    """A recorded text for the API: ``message`` in the request's language, with
    ``message_zh`` and ``message_en``, as the API's errors carry them."""
    zh, en = languages_of(value)
    return {"message": pick_message(zh, en), "message_zh": zh, "message_en": en}
