"""Process versions loaded by administrators (BPMN XML drawn in any standard modeller).

Version 0 of a process is the file shipped in ``processes/``; each load adds version n+1.
A running case keeps the definition it started with (its serialised state carries it).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.common.models import AppendOnly


class ProcessVersion(AppendOnly):
    append_only_noun = "A process version"

    name = models.CharField(
        _("process"), max_length=120, help_text=_("The process file's name, ending in .bpmn.")
    )
    version = models.PositiveIntegerField(_("version"))
    bpmn_xml = models.TextField(_("BPMN 2.0 XML"))
    sha256 = models.CharField(verbose_name=_("SHA-256 digest"), max_length=64)
    user_tasks = models.JSONField(verbose_name=_("user tasks"), default=list)
    note = models.CharField(_("reason for this version"), max_length=200)
    created_by = models.CharField(verbose_name=_("created by"), max_length=150)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("process version")
        verbose_name_plural = _("process versions")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="process_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
