"""The demo street: the pilot estate of the street's report, five months into its work, with its history.

红旗街道 runs the pilot in 绵纺厂宿舍小区 (绵纺社区). Its 1栋1单元 was the model unit 样板单元, installed
more than a year ago; its success launched the estate-wide pilot about five months ago. Since then
the first batch has gone through notice and signing into the works, the second batch is in notice and
signing, and the rest are still being consulted, each in one of the four situations of the reports.
In 光华小区 (光华社区) the willingness survey has just been done.

The story, chapter by chapter (``services.seed_demo`` tells it in this order):

- ``story``: the script (names, days, layout, each unit's votes and where it ends) and what every
  chapter shares (the seeded random streams, the clock, the cast);
- ``street`` and ``accounts``: places, households and logins;
- ``pilot``: each unit's way, told with ``consultation``, ``plans``, ``notice`` and ``signing``;
- ``meetings``: the leadership group's meetings and their action items;
- ``works``: approval, construction, acceptance and upkeep of the signed units;
- ``money``: payments, the communities' public contact and every unit's public link.

``district`` is apart: a realistic district of any size for benchmarks (``seed_demo --households N``).
This is the top layer: it imports every app, and no app imports it.
"""
