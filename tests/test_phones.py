"""Phone numbers in one form (retrofit/phones.py): examples, then properties over random spellings."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrofit import masking
from retrofit.phones import InvalidPhone, comparable, dial, display, normalise, search_form

FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

SAME = {
    # mobile, 11 digits, however written
    "13900000001": "13900000001",
    "139-0000-0001": "13900000001",
    "139 0000 0001": "13900000001",
    "139.0000.0001": "13900000001",
    " (139) 0000-0001 ": "13900000001",
    "+86 139 0000 0001": "13900000001",
    "+86-13900000001": "13900000001",
    "(+86)13900000001": "13900000001",
    "0086 139 0000 0001": "13900000001",
    "86 139 0000 0001": "13900000001",
    "8613900000001": "13900000001",
    # full-width digits and punctuation (a Chinese input method's), the ideographic space
    "１３９０００００００１": "13900000001",
    "１３９－００００－０００１": "13900000001",
    "＋８６　１３９　００００　０００１": "13900000001",
    # landline with its area code: three digits (010, 02x) or four (0xxx), 7 or 8 digits after it
    "028-87650000": "02887650000",
    "(028) 8765 0000": "02887650000",
    "（０２８）８７６５－００００": "02887650000",
    "010-6512 3456": "01065123456",
    "0871-876-5000": "08718765000",
    "+86 28 8765 0000": "02887650000",
    "+86 (0)28 8765 0000": "02887650000",
    "0086-28-87650000": "02887650000",
    "+86 10 6512 3456": "01065123456",
    # and its extension
    "028-87650000 转 123": "02887650000,123",
    "028-87650000转123": "02887650000,123",
    "028-87650000 分机 8": "02887650000,8",
    "028-8765-0000 ext. 42": "02887650000,42",
    "028 8765 0000 x42": "02887650000,42",
    "028-87650000#42": "02887650000,42",
    "028-8765-0000-123": "02887650000,123",
    "02887650000,123": "02887650000,123",
    # a local number without its area code is kept as written (the area code is not guessed)
    "8765-0000": "87650000",
    "876 5000": "8765000",
    # blank
    "": "",
    "   ": "",
    None: "",
}

NOT_PHONES = [
    "139 0000 000",  # a digit short
    "139000000012",  # a digit too many
    "12900000001",  # no mobile starts 12
    "13900000001/13900000002",  # two numbers in one cell
    "13900000001、13900000002",
    "13900000001 转 12",  # a mobile has no extension
    "028-87650000 转",  # an extension mark with no extension
    "028-87650000 转 1234567",
    "+1 212 555 0100",  # abroad
    "12345",
    "无",
    "王芳",
    "tel:13900000001",
    "028-0765-0000",  # no local number starts with 0
]


@pytest.mark.parametrize(("text", "stored"), SAME.items())
def test_every_spelling_of_a_number_is_stored_in_one_form(text, stored):
    assert normalise(text) == stored


@pytest.mark.parametrize("text", NOT_PHONES)
def test_text_that_is_no_number_is_refused(text):
    with pytest.raises(InvalidPhone):
        normalise(text)
    assert comparable(text) == text.strip()  # the engine compares it as written
    assert display(text) == text.strip()


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("13900000001", "139 0000 0001"),
        ("02887650000", "028 8765 0000"),
        ("01065123456", "010 6512 3456"),
        ("08718765000", "0871 876 5000"),
        ("075587650000", "0755 8765 0000"),
        ("02887650000,123", "028 8765 0000 转 123"),
        ("87650000", "8765 0000"),
        ("", ""),
    ],
)
def test_a_stored_number_is_shown_in_groups(stored, shown):
    assert display(stored) == shown


def test_masking_is_as_before_and_a_role_that_sees_phones_reads_them_in_groups():
    class Sees:
        can_see_phones = True

    class DoesNot:
        can_see_phones = False

    assert masking.mask_phone("13900000001") == "139****0001"
    assert masking.phone_for(DoesNot(), "13900000001") == "139****0001"
    assert masking.phone_for(Sees(), "13900000001") == "139 0000 0001"
    assert masking.phone_for(Sees(), "") == ""


def test_a_search_finds_a_number_however_it_is_typed():
    assert search_form("139-0000-0001") == "13900000001"
    assert search_form("+86 139 0000 0001") == "13900000001"
    assert search_form("0000 0001") == "00000001"  # a part of a number: its digits
    assert search_form("０００１") == "0001"
    assert search_form("王芳") is None
    assert search_form("12") is None
    assert search_form("") is None


# --- properties -----------------------------------------------------------------------------------

WIDE = {str(d): chr(ord("０") + d) for d in range(10)}
GAPS = st.sampled_from(["", "", "", " ", "-", ".", "　", "－", "—", " - "])


def spelt(draw, digits: str) -> str:
    """``digits`` with random gaps between them and some digits full-width."""
    out = []
    for digit in digits:
        out.append(draw(GAPS) if out else "")
        out.append(WIDE[digit] if draw(st.booleans()) else digit)
    return "".join(out)


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1)
)


@st.composite
def landlines(draw) -> str:
    area = draw(st.sampled_from(["010", "020", "021", "028", "0311", "0871", "0755", "0991"]))
    length = draw(st.sampled_from([7, 8]))
    local = str(draw(st.integers(2, 9))) + f"{draw(st.integers(0, 10 ** (length - 1) - 1)):0{length - 1}d}"
    return area + local


@st.composite
def numbers_and_spellings(draw) -> tuple[str, str]:
    """(stored form, one way a ledger or a form may write it)."""
    if draw(st.booleans()):
        number = draw(mobiles)
        prefix = draw(st.sampled_from(["", "", "+86", "+86 ", "0086", "0086-", "86", "(+86) ", "＋８６ "]))
        return number, prefix + spelt(draw, number)
    number = draw(landlines())
    area, local = (number[:3], number[3:]) if number[1] in "12" else (number[:4], number[4:])
    style = draw(st.sampled_from(["plain", "brackets", "wide brackets", "abroad", "abroad with 0"]))
    written = {
        "plain": spelt(draw, area) + draw(GAPS),
        "brackets": f"({area}) ",
        "wide brackets": f"（{area}）",
        "abroad": f"+86 {area[1:]} ",
        "abroad with 0": f"+86 (0){area[1:]} ",
    }[style] + spelt(draw, local)
    extension = draw(st.one_of(st.just(""), st.integers(1, 99999).map(str)))
    if extension:
        mark = draw(st.sampled_from([" 转 ", "转", " 分机 ", " ext. ", "x", "#", ","]))
        return f"{number},{extension}", written + mark + extension
    return number, written


@FAST
@given(numbers_and_spellings())
def test_any_spelling_of_a_number_is_stored_as_that_number(case):
    stored, written = case
    assert normalise(written) == stored


@FAST
@given(numbers_and_spellings())
def test_the_stored_form_is_a_fixed_point_and_what_is_shown_reads_back_as_it(case):
    stored, _written = case
    assert normalise(stored) == stored
    assert normalise(display(stored)) == stored
    assert masking.mask_phone(stored) == f"{stored[:3]}****{stored[-4:]}"


@FAST
@given(st.text(max_size=40))
def test_any_text_is_stored_as_a_number_or_refused_and_compared_without_raising(text):
    try:
        stored = normalise(text)
    except InvalidPhone:
        assert comparable(text) == text.strip()
    else:
        assert stored == "" or stored.replace(",", "").isdigit()
        assert normalise(stored) == stored and comparable(text) == stored


# --- what a tel: link dials -------------------------------------------------------------------------

DIALLED = {
    "028-8765 4321": "02887654321",  # the community's contact as typed: no space reaches the link
    "139 0000 0001": "13900000001",
    "+86 139 0000 0001": "13900000001",
    "(028) 8765-0000 转 123": "02887650000,123",  # the phone waits, then dials the extension
    "8765 0000": "87650000",
    "12345": "12345",  # a service line is dialled as written
    "962 196": "962196",
    "": "",
    None: "",
    "王芳": "",  # no number: shown without a link
    "13900000001/13900000002": "",
    "tel:13900000001": "",
}


@pytest.mark.parametrize(("text", "digits"), DIALLED.items())
def test_a_tel_link_dials_digits_only(text, digits):
    assert dial(text) == digits
    assert re.fullmatch(r"(\d+(,\d+)?)?", dial(text))
