"""SURVEY_RATE, SURVEY_KIND and SURVEY_COOLDOWN_DAYS are read, with defaults, and bad values say what is wrong."""
from __future__ import annotations

import pytest

from assistant.runtime.settings import get_settings


def test_defaults_and_values(tmp_path) -> None:
    base = {"SHOP_VAR_DIR": str(tmp_path)}
    default = get_settings(base)
    assert (default.survey_rate, default.survey_kind, default.survey_cooldown_days) == (0.3, "alternate", 7)
    chosen = get_settings({**base, "SURVEY_RATE": "1", "SURVEY_KIND": "NPS", "SURVEY_COOLDOWN_DAYS": "14"})
    assert (chosen.survey_rate, chosen.survey_kind, chosen.survey_cooldown_days) == (1.0, "nps", 14)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("SURVEY_RATE", "1.5", "from 0 to 1"), ("SURVEY_RATE", "often", "a number"),
    ("SURVEY_KIND", "csat", "one of alternate, nps, ces"), ("SURVEY_COOLDOWN_DAYS", "0", "at least 1"),
])
def test_bad_values_are_refused_by_name(tmp_path, name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        get_settings({"SHOP_VAR_DIR": str(tmp_path), name: value})
    assert name in str(error.value)
