"""The legal sources the rules cite by key (``D10 art. 18``, docs/unemployment-rules.md and
the domain's pension rules), as people read them in Chinese or English.

``source_shown("D10 art. 18; D11 art. 47; D13 MOHRSS [2017] 71", zh=False)`` ->
"Unemployment Insurance Regulations art. 18; Social Insurance Law art. 47; MOHRSS [2017] 71".
A part that names a document by its English name alone ("MOHRSS [2021] 18") reads as that
document too; any other part is left as written.
"""

from __future__ import annotations

import re

#: Each key's document: (Chinese, English).
LAWS: dict[str, tuple[str, str]] = {
    "D1": (
        "全国人大常委会关于实施渐进式延迟法定退休年龄的决定",
        "NPC decision on raising the retirement age",
    ),
    "D2": ("人社部发〔2024〕94号", "MOHRSS [2024] 94"),
    "D3": ("国发〔2005〕38号", "Guofa [2005] 38"),
    "D4": ("国办发〔2019〕13号", "Guobanfa [2019] 13"),
    "D5": ("人社部发〔2017〕31号", "MOHRSS [2017] 31"),
    "D6": ("国办发〔2009〕66号", "Guobanfa [2009] 66"),
    "D7": ("《社会保险法》", "Social Insurance Law"),
    "D8": ("《社会保险经办条例》", "Social Insurance Handling Regulations"),
    "D9": ("GB 11643-1999、GB 32100-2015", "GB 11643-1999, GB 32100-2015"),
    "D10": ("《失业保险条例》", "Unemployment Insurance Regulations"),
    "D11": ("《社会保险法》", "Social Insurance Law"),
    "D12": ("人社部令第8号", "MOHRSS decree 8"),
    "D13": ("人社部发〔2017〕71号", "MOHRSS [2017] 71"),
    "D14": ("人社部发〔2021〕18号", "MOHRSS [2021] 18"),
}
#: A document cited by its English name without a key (as older records store it).
_BY_NAME = {en: key for key, (_, en) in LAWS.items()}
_PART = re.compile(r"^(D\d+)\b[ ,:]*(.*)$")
_ARTICLES = re.compile(r"(?:^|, )arts?\. ([0-9][0-9 ,\-–]*)$")


def _part_shown(part: str, zh: bool) -> str:
    if part in _BY_NAME:
        return LAWS[_BY_NAME[part]][0 if zh else 1]
    found = _PART.match(part)
    if found is None or found.group(1) not in LAWS:
        return part
    law = LAWS[found.group(1)][0 if zh else 1]
    articles = _ARTICLES.search(found.group(2))
    if articles is None:
        return law  # the key alone, or the document's own number repeated after it
    numbers = articles.group(1).strip()
    if zh:
        return f"{law}第{numbers.replace('-', '至').replace('–', '至')}条"
    plural = "arts." if any(c in numbers for c in ",-–") else "art."
    return f"{law} {plural} {numbers}"


def source_shown(text: str, *, zh: bool) -> str:
    """``text`` (sources separated by "; ") with each keyed source in words of one language."""
    parts = [_part_shown(p.strip(), zh) for p in text.split(";")]
    return ("；" if zh else "; ").join(p for p in parts if p)
