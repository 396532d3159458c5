from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _retire_interest_tables(**_kwargs: Any) -> None:
    """A write of parameters or book rates through the model (services, the admin, a
    queryset's ``delete()``) retires the interest tables processes keep. Not seen: a
    ``QuerySet.update()`` or a data migration's historical models; what they leave stale
    expires within ``answers.kept``'s time limit (60 s)."""
    from onestop.common import answers
    from onestop.parameters.selectors import GENERATION

    answers.generation_bump(GENERATION)


class ParametersConfig(AppConfig):
    name = "onestop.parameters"
    label = "parameters"
    verbose_name = _("Policy parameters")

    def ready(self) -> None:
        for model_name in ("ProvinceParameters", "BookRate"):
            model = self.get_model(model_name)
            for signal in (post_save, post_delete):
                signal.connect(
                    _retire_interest_tables, sender=model, dispatch_uid=f"retire:{model_name}"
                )
