"""The demo as `seed_demo` loads it: the street's story, its works, its money, and a district if asked."""

import random

from django.db import transaction

from units.models import Street

from . import meetings, pilot, street, works
from .district import seed_district
from .money import seed_money
from .story import Story


def seed_street(seed: int = 2026) -> None:
    """The street's story up to the works: places, people, consultation, notice, plans, signing, meetings."""
    story = Story(seed)
    street.build_places(story)
    pilot.play_out(story)
    meetings.hold_meetings(story)


def seed_demo(*, seed: int = 2026, households: int = 0, stdout=None) -> bool:
    """Load the whole demo into an empty database, with a district of ``households`` beside it if asked.

    Returns False, writing nothing, when the database already has a street. ``stdout`` gets the works
    chapter's line and the district's progress.
    """
    if Street.objects.exists():
        return False
    with transaction.atomic():
        seed_street(seed)
        works.seed_works()
        if stdout is not None:
            stdout.write(works.LOADED)
        seed_money(random.Random(seed))
        if households:
            seed_district(households=households, seed=seed, stdout=stdout)
    return True
