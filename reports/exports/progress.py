"""The progress workbook of a street, community or estate: a summary sheet, then a sheet per group
(community for a street, estate for a community or an estate) with one row per unit.

``write_progress_workbook(units, output)`` streams: it reads the units in chunks of ``chunk_size``
ids and writes each row at once with xlsxwriter in constant-memory mode (``retrofit.xlsx.StreamedWorkbook``),
so a street of 100,000 households is never held in memory. Queries: the ordered unit ids (1), then per chunk the units with their contract
and works records (1), households with votes (1), current plans (1), signature counts (1) and city
acceptance dates (1). They grow with the number of chunks, never with the number of rows.

The summary's figures are the dashboard's (``reports.dashboard``): the same consent engine, and
signed / installed / accepted meaning the same stages reached, so the two agree for the same units.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from consultations import rules
from consultations.selectors import consent_by_unit, street_policy
from consultations.situations import NAMES as SITUATION_NAMES
from reports.dashboard import REACHED, GroupRow
from retrofit import xlsx
from units.models import Signature, SignatureStatus, Stage, Unit
from units.selectors import current_plans
from works.models import AcceptanceCheck
from works.selectors import one

from .common import (
    AREA_FORMAT,
    DATE_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    consent_ratios,
    ratio_value,
    sheet_title,
    width_for,
    yes_no,
)

CHUNK_SIZE = 500
SUMMARY_SHEET = "汇总"
ORDER = (
    "building__estate__community__street__name",
    "building__estate__community__name",
    "building__estate__name",
    "building__number",
    "number",
)

# (header, number format, width): Chinese headers, the ledger's language.
COLUMNS = [
    ("社区", None, 14),
    ("小区", None, 18),
    ("楼栋", None, 6),
    ("单元", None, 6),
    ("具备安装条件", None, 8),
    ("阶段", None, 10),
    ("进入本阶段日期", DATE_FORMAT, 12),
    ("户数", None, 6),
    ("业主人数", None, 8),
    ("同意", None, 6),
    ("反对", None, 6),
    ("弃权", None, 6),
    ("未表态", None, 7),
    ("联系不上", None, 8),
    ("总面积（㎡）", AREA_FORMAT, 11),
    ("同意面积（㎡）", AREA_FORMAT, 12),
    ("参与人数比例", PERCENT_FORMAT, 10),
    ("参与面积比例", PERCENT_FORMAT, 10),
    ("同意人数比例", PERCENT_FORMAT, 10),
    ("同意面积比例", PERCENT_FORMAT, 10),
    ("达到法定比例", None, 8),
    ("还需同意人数", None, 8),
    ("情况分类", None, 10),
    ("工程总价（元）", MONEY_FORMAT, 13),
    ("政府补助（元）", MONEY_FORMAT, 13),
    ("居民自筹（元）", MONEY_FORMAT, 13),
    ("合同签订日期", DATE_FORMAT, 12),
    ("已签字户数", None, 8),
    ("应签字户数", None, 8),
    ("开工日期", DATE_FORMAT, 12),
    ("竣工日期", DATE_FORMAT, 12),
    ("市级验收通过日期", DATE_FORMAT, 12),
    ("使用登记日期", DATE_FORMAT, 12),
    ("已签约", None, 7),
    ("已完工", None, 7),
    ("已验收", None, 7),
]
SUMMARY_COLUMNS = [
    ("单元数", None),
    ("户数", None),
    ("业主人数", None),
    ("同意人数", None),
    ("同意比例", PERCENT_FORMAT),
    ("条件成熟", None),
    ("已签约", None),
    ("已完工", None),
    ("已验收", None),
]
GROUP_WORDS = {"street": "街道", "community": "社区", "estate": "小区"}
GROUP_KEYS = {  # a unit's estate → its group's key and name
    "street": lambda estate: (estate.community.street_id, estate.community.street.name),
    "community": lambda estate: (estate.community_id, estate.community.name),
    "estate": lambda estate: (estate.pk, estate.name),
}
# Cell styles (xlsxwriter's properties; the font is Calibri 11 unless said).
HEADER_STYLE = {"bold": True, "pattern": 1, "bg_color": "#DDEBF7"}
TITLE_STYLE = {"bold": True, "font_size": 14}
TOTAL_STYLE = {"bold": True}
A4 = 9  # xlsxwriter's paper size
SUMMARY_WIDTHS = (22, 8, 8, 9, 9, 9, 9, 8, 8, 8)


REACHED_INDEX = {name: Stage.position(stage) for name, stage in REACHED.items()}


@dataclass
class ProgressSummary:
    """What the summary sheet shows; returned so callers (and tests) can compare with the dashboard."""

    groups: list[GroupRow] = field(default_factory=list)
    totals: GroupRow = field(default_factory=lambda: GroupRow(key=0, name=""))
    stages: Counter = field(default_factory=Counter)
    situations: Counter = field(default_factory=Counter)
    rows: int = 0
    chunks: int = 0


def _print_setup(ws, *, wide: bool) -> None:
    """A4. The summary fits the page's width; a sheet of units is too wide for one page, so it prints
    landscape at 60 % with the header row and the unit columns (社区 … 单元) repeated on every page."""
    ws.set_paper(A4)
    if wide:
        ws.set_landscape()
        ws.set_print_scale(60)
        ws.repeat_rows(0)
        ws.repeat_columns(0, 3)
    else:
        ws.fit_to_pages(1, 0)


def _chunks(ids: list[int], size: int):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _units_sheet(workbook: xlsx.StreamedWorkbook, name: str) -> xlsx.StreamedSheet:
    """A group's sheet: column widths, the header row and the unit columns frozen, its header written."""
    sheet = workbook.sheet(name)
    for index, (header, _fmt, width) in enumerate(COLUMNS):
        sheet.set_width(index, max(width, width_for(header) - 1))
    sheet.ws.freeze_panes(1, 4)
    _print_setup(sheet.ws, wide=True)
    sheet.append([h for h, _f, _w in COLUMNS], [workbook.style(**HEADER_STYLE)] * len(COLUMNS))
    return sheet


def _unit_values(unit: Unit, result, plan, signatures, city_pass, labels) -> list:
    estate = unit.building.estate
    c = result.consent if result.ok else None
    ratios = consent_ratios(c, street_policy(unit.street)) if c else (None,) * 4
    contract = one(unit, "contract")
    construction = one(unit, "construction")
    registration = one(unit, "registration")
    index = Stage.position(unit.stage)
    counts = signatures.get(unit.pk)
    return [
        estate.community.name,
        estate.name,
        unit.building.number,
        unit.number,
        yes_no(unit.eligible),
        labels["stage"].get(unit.stage, unit.stage),
        timezone.localdate(unit.stage_since) if unit.stage_since else None,
        c.households if c else None,
        c.owners if c else None,
        c.agree if c else None,
        c.oppose if c else None,
        c.abstain if c else None,
        c.undecided if c else None,
        c.unreachable if c else None,
        c.area_total if c else None,
        c.agree_area if c else None,
        *(ratio_value(r) for r in ratios),
        yes_no(c.threshold_met) if c else "名册冲突",
        c.agrees_needed if c else None,
        labels["situation"].get(c.situation, "") if c else "",
        plan.total_cost if plan else None,
        plan.subsidy if plan else None,
        plan.net_cost if plan else None,
        contract.signed_on if contract else None,
        counts[1] if counts else None,
        counts[0] if counts else None,
        construction.started_on if construction else None,
        construction.completed_on if construction else None,
        city_pass.get(unit.pk),
        registration.registered_on if registration else None,
        "是" if index >= REACHED_INDEX["signed"] else "",
        "是" if index >= REACHED_INDEX["installed"] else "",
        "是" if index >= REACHED_INDEX["accepted"] else "",
    ]


def write_progress_workbook(
    units,
    output,
    *,
    title: str = "",
    group_by: str = "community",
    situation: str = "",
    chunk_size: int = CHUNK_SIZE,
    on_chunk=None,
) -> ProgressSummary:
    """Write the workbook of ``units`` (a queryset, already scoped) to ``output`` (path or binary file).

    ``group_by`` is "street", "community" or "estate": one sheet per group. ``situation``, when given, keeps
    only the units in that consent situation (the dashboard's situation filter). ``on_chunk(n)``, when given,
    is told after each chunk of ``n`` units (a background job's progress bar).
    """
    with translation.override("zh-hans"):
        return _write(
            units, output, title=title, group_by=group_by, situation=situation, chunk_size=chunk_size, on_chunk=on_chunk
        )


def _write(units, output, *, title, group_by, situation, chunk_size, on_chunk) -> ProgressSummary:
    summary = ProgressSummary()
    workbook = xlsx.StreamedWorkbook(output)
    summary_sheet = workbook.sheet(SUMMARY_SHEET)  # first in the workbook, written last
    taken = {SUMMARY_SHEET.lower()}
    groups: dict[int, GroupRow] = {}
    current, current_key = None, None
    formats = [workbook.style(num_format=fmt) if fmt else None for _h, fmt, _w in COLUMNS]

    # Labels translated once, not once a row (a lazy string's lookup is most of a row's cost).
    labels = {
        "stage": {value: str(label) for value, label in Stage.choices},
        "situation": {code: str(name) for code, name in SITUATION_NAMES.items()},
    }
    ids = list(units.order_by(*ORDER).values_list("pk", flat=True))
    for batch in _chunks(ids, chunk_size):
        summary.chunks += 1
        position = {pk: i for i, pk in enumerate(batch)}
        chunk = sorted(
            Unit.objects.filter(pk__in=batch)
            .select_related("building__estate__community__street", "contract", "construction", "registration")
            .order_by(),  # in the ids' order, below: no ORDER BY for the database to plan around
            key=lambda u: position[u.pk],
        )
        consents = consent_by_unit(chunk)
        plans = current_plans(chunk)
        signatures = {
            row["contract__unit_id"]: (row["total"], row["signed"])
            for row in Signature.objects.filter(contract__unit_id__in=batch)
            .values("contract__unit_id")
            .annotate(total=Count("pk"), signed=Count("pk", filter=Q(status=SignatureStatus.SIGNED)))
            .order_by()
        }
        city_pass = dict(
            AcceptanceCheck.objects.filter(unit_id__in=batch, level="city", result="pass")
            .values("unit_id")
            .annotate(last=Max("date"))
            .order_by()
            .values_list("unit_id", "last")
        )
        for unit in chunk:
            result = consents[unit.pk]
            if situation and not (result.ok and result.consent.situation == situation):
                continue
            estate = unit.building.estate
            key, name = GROUP_KEYS[group_by](estate)
            if key != current_key:
                current_key, current = key, _units_sheet(workbook, sheet_title(name, taken))
            current.append(_unit_values(unit, result, plans.get(unit.pk), signatures, city_pass, labels), formats)
            group = groups.setdefault(key, GroupRow(key=key, name=name))
            group.count(unit, result)
            summary.totals.count(unit, result)
            summary.stages[unit.stage] += 1
            if result.ok and result.consent.situation:
                summary.situations[result.consent.situation] += 1
            summary.rows += 1
        if on_chunk is not None:
            on_chunk(len(batch))

    summary.groups = list(groups.values())
    _write_summary(workbook, summary_sheet, summary, title=title, group_by=group_by)
    workbook.close()
    return summary


def _summary_values(row: GroupRow) -> list:
    share = ratio_value(Fraction(row.agree, row.owners)) if row.owners else None
    return [row.units, row.households, row.owners, row.agree, share, row.ready, row.signed, row.installed, row.accepted]


def _write_summary(workbook: xlsx.StreamedWorkbook, sheet: xlsx.StreamedSheet, summary: ProgressSummary, *, title: str, group_by: str) -> None:
    for index, width in enumerate(SUMMARY_WIDTHS):
        sheet.set_width(index, width)
    _print_setup(sheet.ws, wide=False)
    header = workbook.style(**HEADER_STYLE)
    figures = [workbook.style(num_format=fmt) if fmt else None for _h, fmt in SUMMARY_COLUMNS]
    totals = [workbook.style(**TOTAL_STYLE, **({"num_format": fmt} if fmt else {})) for _h, fmt in SUMMARY_COLUMNS]
    now = timezone.localtime()
    sheet.append([f"{title} · {gettext('Progress workbook')}".strip(" ·")], [workbook.style(**TITLE_STYLE)])
    sheet.append([f"导出时间：{now:%Y-%m-%d %H:%M}", None, None, None, f"单元数：{summary.totals.units}"])
    sheet.append([])
    group_header = [GROUP_WORDS.get(group_by, "分组"), *[h for h, _f in SUMMARY_COLUMNS]]
    sheet.append(group_header, [header] * len(group_header))
    for group in summary.groups:
        sheet.append([group.name, *_summary_values(group)], [None, *figures])
    sheet.append(["合计", *_summary_values(summary.totals)], [workbook.style(**TOTAL_STYLE), *totals])
    sheet.append([])
    sheet.append(["阶段", "单元数"], [header, header])
    for stage in Stage:
        sheet.append([str(stage.label), summary.stages.get(stage.value, 0)])
    sheet.append([])
    sheet.append(["情况分类", "单元数"], [header, header])
    for code in rules.SITUATIONS:
        sheet.append([str(SITUATION_NAMES[code]), summary.situations.get(code, 0)])
    sheet.append([])
    sheet.append(
        [
            gettext(
                "Signed: the unit has reached approval or a later stage; installed: acceptance or later; "
                "accepted: in service or later. The dashboard counts the same way."
            )
        ]
    )
