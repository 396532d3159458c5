"""conftest.prepared_once: rows built once for many tests, each test rolled back to them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from conftest import Prepared, prepared_once
from onestop.identity import demo
from onestop.identity.models import Region


def _build() -> dict[str, Any]:
    regions = demo.create_regions()
    (Path(django_settings.MEDIA_ROOT) / "note.txt").write_text("as built")
    return {"yanta": regions["610113"], "regions": Region.objects.count()}


@pytest.fixture(scope="module")
def _rows(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Any]:
    with prepared_once(
        _build, django_db_blocker=django_db_blocker, folder=tmp_path_factory.mktemp("rows")
    ) as prepared:
        yield prepared


@pytest.fixture
def rows(db: None, _rows: Prepared, settings: Any, _fixed_clock: Any) -> Any:
    return _rows.copy_for(settings=settings, clock=_fixed_clock)


@pytest.mark.django_db
@pytest.mark.parametrize("run", [1, 2, 3])
def test_each_test_starts_from_the_rows_files_and_objects_as_built(
    rows: Any, _rows: Prepared, settings: Any, run: int
) -> None:
    """Whatever the test before changed (rows, files, the objects), the next one starts from
    the build, at the instant the build ended."""
    yanta = rows["yanta"]
    assert Region.objects.count() == rows["regions"] > 0
    assert Region.objects.get(pk=yanta.pk).name == yanta.name == _rows.value["yanta"].name
    note = Path(settings.MEDIA_ROOT) / "note.txt"
    assert note.read_text() == "as built"
    assert timezone.now() >= _rows.built_at
    # Change all three: the next test must not see any of it.
    Region.objects.filter(pk=yanta.pk).update(name=f"changed by run {run}")
    Region.objects.create(
        code=f"61019{run}", name="新区", name_en="New", level=yanta.level, parent=yanta.parent
    )
    yanta.name = f"changed by run {run}"
    note.write_text(f"changed by run {run}")
