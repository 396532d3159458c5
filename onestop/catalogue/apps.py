from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _retire_catalogue_answers(**_kwargs: Any) -> None:
    """A write of a service item or bundle through the model (services, the admin, a
    queryset's ``delete()``) retires the item answers and names processes keep. Not seen: a
    ``QuerySet.update()`` or a data migration's historical models; what they leave stale
    expires within the answers' time limit (60 s)."""
    from onestop.catalogue.selectors import GENERATION
    from onestop.common import answers

    answers.generation_bump(GENERATION)


class CatalogueConfig(AppConfig):
    name = "onestop.catalogue"
    label = "catalogue"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        for model_name in ("ServiceItem", "Bundle"):
            model = self.get_model(model_name)
            for signal in (post_save, post_delete):
                signal.connect(
                    _retire_catalogue_answers, sender=model, dispatch_uid=f"retire:{model_name}"
                )
