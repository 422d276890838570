"""The codebook as the export and the web UI need it: every statistic key with label, gloss, unit, forms.

One source: `extract.stats.keys.CODEBOOK` (the extractor's own table, the keys it actually writes), turned
into typed `KeyInfo` rows. There is deliberately no second copy here, so the codebook a researcher
receives can never drift from what the extractor stores.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

SOURCE = "extract.stats.keys.CODEBOOK"


@dataclass(frozen=True)
class KeyInfo:
    """One statistic key of the codebook."""

    key: str
    label_zh: str
    label_en: str
    unit: str
    forms: tuple[str, ...]


def load_codebook() -> tuple[dict[str, KeyInfo], str]:
    """The codebook keyed by statistic key, and where it came from (named in the export's README)."""
    from extract.stats.keys import CODEBOOK

    book = {key: KeyInfo(key, label, gloss, unit, tuple(forms)) for key, (label, gloss, unit, forms) in CODEBOOK.items()}
    return book, SOURCE
