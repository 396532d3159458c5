"""The ``onestop`` console script: Django's management commands with hyphenated names.

``onestop rotate-data-key`` runs the ``rotate_data_key`` command; ``onestop audit verify`` runs
the ``audit`` command with its ``verify`` action; everything else passes through unchanged.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command named on the command line."""
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "onestop"
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
