"""Production settings: secure, Argon2, and `check --deploy` without warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_argon2_is_the_password_hasher() -> None:
    from config import settings as project

    assert project.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_embedded_default_is_sqlite() -> None:
    assert settings.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }


def production_env(**extra: str) -> dict[str, str]:
    # The browser tests' async escape hatch must not leak into a production check.
    skip = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        {
            "ONESTOP_ENV": "production",
            "SECRET_KEY": "k3Jq9-zP0vX!mW2rT8yL5nB7cE4hG6aS1dF0uI9oQ-test-only-Zx8",
            "DATABASE_URL": "postgres://onestop@127.0.0.1:5432/onestop",
            "ALLOWED_HOSTS": "hrss.example.gov.cn",
            "ONESTOP_DATA_KEYS": "1:" + "ab" * 16,
            "ONESTOP_INDEX_KEY": "cd" * 32,
            "ONESTOP_SIGNING_KEY": "ef" * 32,
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    env.update(extra)
    return env


def test_production_passes_check_deploy() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_keys() -> None:
    env = production_env()
    del env["ONESTOP_DATA_KEYS"]
    result = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "ONESTOP_DATA_KEYS" in result.stderr


def test_production_servers_refuse_to_start_before_collectstatic(tmp_path: Path) -> None:
    """Without the static manifest every page would fail: the WSGI app refuses to load."""
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=production_env(ONESTOP_VAR_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "collectstatic" in result.stderr
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    started = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=production_env(ONESTOP_VAR_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
