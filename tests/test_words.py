"""The Chinese words: one English source string, one meaning.

An English word such as "by" is a field label in one place (经办人, who recorded it) and half a sentence
in another ("reply by 11-26"); with one msgid both get one translation and a page reads "经办人 11-26".
Such words always carry a context (pgettext / {% translate "x" context "y" %}), and so every meaning has
its own entry in the catalogue.
"""

import re

from tests.test_translation import PO_FILE, bare_literals, read_po, source_texts

# English words the interface uses with more than one meaning. Each must be given a context wherever it
# is translated (the English alone does not say which Chinese word is meant).
AMBIGUOUS = {
    "by",  # who recorded it (经办人) / before a date (截止)
    "owner",  # of a flat (业主) / of an action item (责任人)
    "signed",  # a signature, a plan, a unit at signing
    "paid",  # a subsidy's status / an amount paid
    "completed",  # a notice that ran its period / the day construction was completed
    "open",  # a round in progress / an objection not settled / a link to a file
    "done",  # an action item done / a works section complete
    "due",  # a reminder's or action item's date / an amount due
}


def messages():
    return [e for e in read_po(PO_FILE) if e.msgid]


def test_ambiguous_words_always_have_a_context_in_the_catalogue():
    bare = [e for e in messages() if e.msgctxt is None and e.msgid.strip().lower() in AMBIGUOUS]
    assert not bare, f"give these words a context (pgettext / translate … context …): {bare}"


def test_ambiguous_words_are_never_translated_without_a_context_in_the_source():
    found = []
    for path, suffix, text in source_texts():
        literals = bare_literals(suffix, text)
        if suffix != ".py":
            # _("…") inside a template tag or filter argument cannot carry a context either.
            literals += [m.group(2) for m in re.finditer(r"""(?<![\w.])_\((["'])(.+?)\1\)""", text)]
        found += [f"{path}: {s!r}" for s in literals if s.strip().lower() in AMBIGUOUS]
    assert not found, f"translated without a context: {found}"


def test_every_meaning_has_one_entry():
    """msgfmt refuses two entries with one msgid and context; a hand-merged catalogue must not have them."""
    seen, twice = set(), []
    for entry in messages():
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            twice.append(entry)
        seen.add(key)
    assert not twice, twice


def test_the_visit_list_shows_each_units_reply_deadline_as_a_deadline(world, login):
    """It read "经办人 11-26": the deadline borrowed the translation of the field label "by"."""
    from datetime import date

    from django.urls import reverse

    from consultations.models import ConsultationRound
    from tests.factories import add_flats, make_unit

    unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="2")
    add_flats(unit, ["agree"] * 3 + ["oppose"] * 3)
    ConsultationRound.objects.create(
        unit=unit, opened_on=date(2026, 11, 1), deadline=date(2026, 11, 26), by_notice=True,
        opened_by=world.users["staff"],
    )
    html = login(world.users["staff"]).get(reverse("community_visits", args=[world.community.pk])).content.decode()
    assert "11-26 截止" in html
    assert "经办人" not in html


# --- 业主 and 户 (docs/rules.md, "Words") -------------------------------------------------------------

# The consent rule counts owners (业主, counted with 名); a flat or household is 户. A Chinese text that
# counts agreements in 户 ("还需 2 户业主同意", "150 户转为同意", "还需同意户数") mixes the two.
COUNTS_AGREEMENT_IN_FLATS = re.compile(r"\d+\)?[sd]? *户业主|户业主|(?<!未)同意户数|户(?:业主)?同意|户转为同意|关键户|差户数")


def test_agreements_are_counted_in_owners_in_the_chinese_catalogue():
    wrong = [e for e in messages() if any(COUNTS_AGREEMENT_IN_FLATS.search(t) for t in e.translations)]
    assert not wrong, f"agreement is counted in owners (名业主), flats in 户: {wrong}"


def test_a_count_of_owners_is_said_with_owners_and_a_count_of_households_with_households():
    """An English text counting owners ("%(n)s owners") says 名 (业主); one counting households says 户."""
    wrong = []
    for entry in messages():
        english = " ".join(filter(None, (entry.msgid, entry.msgid_plural)))
        owners = re.findall(r"%\((\w+)\)[sd] (?:more )?owners?\b", english)
        flats = re.findall(r"%\((\w+)\)[sd] (?:households?|flats?)\b", english)
        for translation in entry.translations:
            if any(re.search(rf"%\({name}\)[sd] *户", translation) for name in owners):
                wrong.append(entry)
            if any(re.search(rf"%\({name}\)[sd] *名", translation) for name in flats):
                wrong.append(entry)
    assert not wrong, wrong


def test_the_residents_page_and_the_visit_list_count_owners_in_one_word(world, login, client):
    from django.urls import reverse

    from residents import services
    from tests.factories import add_flats, make_unit

    unit = make_unit(world.community, estate="绵纺厂宿舍小区", building="2")
    add_flats(unit, ["agree"] * 3 + ["oppose"] * 3)  # 5 of 6 must agree: 2 short
    link = services.public_link_issue(unit=unit, by=world.users["staff"])
    public = client.get(reverse("resident_unit", args=[link.token])).content.decode()
    assert "6 名业主中 3 名同意" in public and "还需 2 名业主同意" in public, public
    page = login(world.users["staff"]).get(reverse("unit_visits", args=[unit.pk])).content.decode()
    assert "还差 2 名业主同意" in page and "户同意" not in page
