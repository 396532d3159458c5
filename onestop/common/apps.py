from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "onestop.common"
    label = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_refresh_after_migrate, sender=self)


def _refresh_after_migrate(
    using: str = "default", plan: list[Any] | None = None, **kwargs: Any
) -> None:
    """Statistics after every ``migrate`` (sent once, for this app): new tables and indexes are
    planned on real figures from the start. ``flush`` sends the signal too, without a plan:
    its tables are empty, there is nothing to plan on (and a test's teardown is a flush)."""
    from onestop.common.bulk import refresh_statistics

    if using == "default" and plan is not None:  # the platform has one database
        refresh_statistics()
