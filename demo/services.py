"""The demo as `seed_demo` loads it: the street's story, its works, its money, a neighbouring street of the
same district, and a large district if asked."""

import random

from django.db import transaction

from units.models import District, Street

from . import meetings, pilot, street, works
from .district import seed_district
from .money import seed_money
from .story import DISTRICT, Story

# The neighbouring street the district dashboard compares 红旗街道 with: a few units in various stages.
NEIGHBOUR_HOUSEHOLDS = 240


def seed_street(seed: int = 2026) -> None:
    """The street's story up to the works: places, people, consultation, notice, plans, signing, meetings."""
    story = Story(seed)
    street.build_places(story)
    pilot.play_out(story)
    meetings.hold_meetings(story)


def seed_demo(*, seed: int = 2026, households: int = 0, stdout=None) -> bool:
    """Load the whole demo into an empty database: 红旗街道's story and a small neighbouring street in 锦江区,
    with a district of ``households`` more in it if asked.

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
        district = District.objects.get(name=DISTRICT)
        if households:
            seed_district(households=households, seed=seed, stdout=stdout, district=district)
        seed_district(households=NEIGHBOUR_HOUSEHOLDS, seed=seed, district=district, tallies=True)
    return True
