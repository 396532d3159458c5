"""The rules' keyed legal sources in words (attack1, finding 4: no "D10 art. 18" shown)."""

from __future__ import annotations

import pytest

from onestop.rules.sources import source_shown


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            "D10 art. 18; D11 art. 47; D13 MOHRSS [2017] 71",
            "《失业保险条例》第18条；《社会保险法》第47条；人社部发〔2017〕71号",
            "Unemployment Insurance Regulations art. 18; Social Insurance Law art. 47; "
            "MOHRSS [2017] 71",
        ),
        (
            "D11 art. 12; D3; D4",
            "《社会保险法》第12条；国发〔2005〕38号；国办发〔2019〕13号",
            "Social Insurance Law art. 12; Guofa [2005] 38; Guobanfa [2019] 13",
        ),
        ("D4 Guobanfa [2019] 13", "国办发〔2019〕13号", "Guobanfa [2019] 13"),
        ("D3 Guofa [2005] 38, art. 6", "国发〔2005〕38号第6条", "Guofa [2005] 38 art. 6"),
        ("D12 art. 4", "人社部令第8号第4条", "MOHRSS decree 8 art. 4"),
        ("D7 arts. 14-16", "《社会保险法》第14至16条", "Social Insurance Law arts. 14-16"),
        ("D99 art. 1", "D99 art. 1", "D99 art. 1"),
        ("as entered", "as entered", "as entered"),
        ("D3;", "国发〔2005〕38号", "Guofa [2005] 38"),
        (
            "D14; 610000/2025/v1",
            "人社部发〔2021〕18号；610000/2025/v1",
            "MOHRSS [2021] 18; 610000/2025/v1",
        ),
        # As older records store it: the document's English name without its key.
        ("MOHRSS [2021] 18; x", "人社部发〔2021〕18号；x", "MOHRSS [2021] 18; x"),
    ],
)
def test_a_keyed_source_reads_as_its_document(text: str, zh: str, en: str) -> None:
    assert source_shown(text, zh=True) == zh
    assert source_shown(text, zh=False) == en
