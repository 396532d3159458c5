from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "onestop.contributions"
    label = "contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from onestop.common.middleware import allow_large_body
        from onestop.contributions import files

        # A JSON declaration of up to 2,000,000 rows (about 60 bytes each, 80 allowed).
        allow_large_body(
            r"^/api/v1/employers/\d+/declarations$",
            files.MAX_JSON_BYTES,
            f"{files.MAX_ROWS:,} rows",
        )
        # Declaration files: the file limit plus room for the form's other fields.
        for pattern in (
            r"^/api/v1/employers/\d+/declarations/file$",
            r"^/employer/\d+/declarations/$",
        ):
            allow_large_body(
                pattern, files.MAX_FILE_BYTES + files.MIB, f"{files.MAX_FILE_BYTES // files.MIB} MB"
            )
