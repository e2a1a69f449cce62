"""retrofit/params.py: an id parameter is a positive id or nothing."""

import pytest
from django.http import QueryDict

from retrofit.params import MAX_ID, int_param


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        (" 12 ", 12),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        ("abc", None),
        ("²", None),  # '²'.isdigit() is True, int('²') raises
        ("١٢", None),  # Arabic-Indic digits: int() reads them, no id is written so
        ("-1", None),
        ("+1", None),
        ("0", None),
        ("1e9", None),
        ("1.0", None),
        ("99999999999999999999", None),
        (str(MAX_ID + 1), None),
        ("", None),
        ("%00", None),
        ("\x00", None),
    ],
)
def test_an_id_parameter_is_a_positive_id_or_nothing(text, expected):
    params = QueryDict(mutable=True)
    params["unit"] = text
    assert int_param(params, "unit") == expected


def test_an_absent_parameter_is_nothing():
    assert int_param(QueryDict(""), "unit") is None
    assert int_param(QueryDict("unit=3&unit=4"), "unit") == 4  # the last value, as QueryDict.get gives
