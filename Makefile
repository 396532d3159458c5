# Local equivalents of what .ci/run does.
.PHONY: test test-pg lint typecheck coverage imports migrations check openapi messages demo

test:
	uv run pytest

test-pg:
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop uv run pytest

lint:
	uv run ruff check .
	uv run ruff format --check .

typecheck:
	uv run mypy onestop config bench
	uv run mypy --strict onestop/rules

coverage:
	uv run pytest -q -n 0 onestop/rules --cov=onestop.rules --cov-branch --cov-fail-under=100

imports:
	uv run lint-imports

migrations:
	uv run onestop makemigrations --check --dry-run

check: lint typecheck imports migrations coverage test

openapi:
	uv run python -c "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); from config.tests.test_openapi import SCHEMA, current_schema; SCHEMA.write_text(current_schema(), encoding='utf-8')"

messages:
	uv run onestop makemessages -l zh_Hans --ignore=.venv --ignore=var
	uv run onestop compilemessages --ignore=.venv

demo:
	uv run onestop demo
