"""The progress workbook of a street, community or estate: a summary sheet, then a sheet per group
(community for a street, estate for a community or an estate) with one row per unit.

``write_progress_workbook(units, output)`` streams: it reads the units in one ordered query, ``chunk_size``
rows at a time (a server-side cursor on PostgreSQL), and writes each row at once with xlsxwriter in
constant-memory mode (``retrofit.xlsx.StreamedWorkbook``), so a street of 100,000 households is never held
in memory. Rows are built from plain values, not model instances: each unit with its building's place and
its street's consent policy, stored consent figures, current plan, contract, works records, signature
counts and city acceptance date. One query, whatever the number of rows and chunks (plus two and a bulk
insert for a chunk with units whose consent figures are not stored yet).

The summary's figures are the dashboard's (``reports.dashboard``): the same consent engine, and
signed / installed / accepted meaning the same stages reached, so the two agree for the same units.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import Count, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext

from consultations import rules
from consultations.selectors import POLICY_FIELDS, consent_by_unit, policy_of
from consultations.situations import NAMES as SITUATION_NAMES
from reports.dashboard import MILESTONES, GroupRow
from retrofit import xlsx
from units.models import Plan, Signature, SignatureStatus, Stage, Unit
from works.models import AcceptanceCheck, AcceptanceLevel, Result

from .common import (
    AREA_FORMAT,
    DATE_FORMAT,
    MONEY_FORMAT,
    NO,
    PERCENT_FORMAT,
    YES,
    ratio_of,
    sheet_title,
    width_for,
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
COLUMN_WIDTHS = [max(width, width_for(header) - 1) for header, _fmt, width in COLUMNS]
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
# Cell styles (xlsxwriter's properties; the font is Calibri 11 unless said).
HEADER_STYLE = {"bold": True, "pattern": 1, "bg_color": "#DDEBF7"}
TITLE_STYLE = {"bold": True, "font_size": 14}
TOTAL_STYLE = {"bold": True}
A4 = 9  # xlsxwriter's paper size
SUMMARY_WIDTHS = (22, 8, 8, 9, 9, 9, 9, 8, 8, 8)
# A row's consent cells for a unit whose roster is in conflict (no figures).
NO_CONSENT = (*(None,) * 13, "名册冲突", None, "")
NOT_REACHED = ("", "", "")  # 已签约, 已完工, 已验收 of a stage that reached none


# What the export reads, as plain values, in one ordered query streamed a chunk at a time: each unit with
# its works records and stored consent figures (``UNIT_FIELDS``: ``TALLY`` after the tally's unit id, None
# when none is stored yet), then its building's place with its street's consent policy (``PLACE_FIELDS``).
TALLY = (
    "households", "owners", "area_total", "participants", "participant_area", "agree", "agree_area", "oppose",
    "abstain", "undecided", "unreachable", "threshold_met", "agrees_needed", "situation", "conflict",
)
UNIT_FIELDS = (
    "pk", "stage", "number", "eligible", "stage_since", "contract__signed_on",
    "construction__started_on", "construction__completed_on", "registration__registered_on",
    "current_plan__total_cost", "current_plan__subsidy", "signatures", "signed", "city_pass",  # _with_works_figures
    "tally__unit_id", *(f"tally__{name}" for name in TALLY),
)
PLACE_FIELDS = (
    "building__estate__community__street_id", "building__estate__community__street__name",
    "building__estate__community_id", "building__estate__community__name", "building__estate_id",
    "building__estate__name", "building__number",
    *(f"building__estate__community__street__{name}" for name in POLICY_FIELDS),
)
STORED, PLACE = UNIT_FIELDS.index("tally__unit_id"), len(UNIT_FIELDS)
STAGE = UNIT_FIELDS.index("stage")
HOUSEHOLDS, OWNERS, AGREE, SITUATION, CONFLICT = (
    UNIT_FIELDS.index(f"tally__{name}") for name in ("households", "owners", "agree", "situation", "conflict")
)
GROUP_AT = {"street": (PLACE, PLACE + 1), "community": (PLACE + 2, PLACE + 3), "estate": (PLACE + 4, PLACE + 5)}  # a group's key and name in a row


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


def _chunks(rows, size: int):
    """``rows`` (an iterator) in lists of ``size``."""
    while batch := list(islice(rows, size)):
        yield batch


def _units_sheet(workbook: xlsx.StreamedWorkbook, name: str) -> xlsx.StreamedSheet:
    """A group's sheet: column widths, the header row and the unit columns frozen, its header written."""
    sheet = workbook.sheet(name)
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.set_width(index, width)
    sheet.ws.freeze_panes(1, 4)
    _print_setup(sheet.ws, wide=True)
    sheet.append([h for h, _f, _w in COLUMNS], [workbook.style(**HEADER_STYLE)] * len(COLUMNS))
    return sheet


def _rows(units, chunk_size: int):
    """The rows of ``units`` (``UNIT_FIELDS`` then ``PLACE_FIELDS``) in the workbook's order, in lists of
    ``chunk_size``: one query, read a chunk at a time (a server-side cursor on PostgreSQL). The units of a
    chunk without stored consent figures get them computed and stored then, two queries and a bulk insert
    (consultations.selectors.consent_by_unit)."""
    query = _with_works_figures(units).values_list(*UNIT_FIELDS, *PLACE_FIELDS).order_by(*ORDER)
    for rows in _chunks(query.iterator(chunk_size=chunk_size), chunk_size):
        missing = [row[0] for row in rows if row[STORED] is None]
        if missing:
            fresh = consent_by_unit(Unit.objects.filter(pk__in=missing).select_related("building__estate__community__street"))
            rows = [
                row if row[STORED] is not None else (*row[:STORED], *_tally_values(row[0], fresh[row[0]]), *row[PLACE:])
                for row in rows
            ]
        yield rows


def _with_works_figures(units):
    """``units`` with what the unit query reads of their other records: their current plan (its latest
    version; the signed one once signed), joined; their contract's signatures counted (all and signed, 0
    without any) and the date of their last passed city acceptance check, each a subquery on its unit's
    index, so that the query needs no GROUP BY over every column it reads (nor a sort of them for it)."""
    latest = Plan.objects.filter(unit=OuterRef("pk")).order_by("-version").values("version")[:1]
    signatures = Signature.objects.filter(contract__unit=OuterRef("pk")).order_by().values("contract")

    def counted(**condition):
        return Coalesce(Subquery(signatures.annotate(n=Count("pk", filter=Q(**condition))).values("n")), 0)

    city_pass = AcceptanceCheck.objects.filter(unit=OuterRef("pk"), level=AcceptanceLevel.CITY, result=Result.PASS)
    return units.annotate(
        current_plan=FilteredRelation("plans", condition=Q(plans__version=Subquery(latest))),
        signatures=counted(),
        signed=counted(status=SignatureStatus.SIGNED),
        city_pass=Subquery(city_pass.order_by("-date").values("date")[:1]),
    )


def _tally_values(pk: int, result) -> tuple:
    """A unit's ``TALLY`` values, after its unit id, from consent_by_unit's answer (a stored ``UnitTally``)."""
    if not result.ok:
        return (pk, *(None,) * (len(TALLY) - 1), str(result.conflict))
    return (pk, *(getattr(result.consent, name) for name in TALLY[:-1]), "")


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
    current, current_key, group = None, None, None
    formats = [workbook.style(num_format=fmt) if fmt else None for _h, fmt, _w in COLUMNS]
    key_at, name_at = GROUP_AT[group_by]
    cells = _UnitCells()
    for rows in _rows(units, chunk_size):
        summary.chunks += 1
        for row in rows:
            stage, unit_situation, conflict = row[STAGE], row[SITUATION], row[CONFLICT]
            if situation and (conflict or unit_situation != situation):
                continue
            key = row[key_at]
            if key != current_key:
                current_key, current = key, _units_sheet(workbook, sheet_title(row[name_at], taken))
                group = groups.setdefault(key, GroupRow(key=key, name=row[name_at]))
            current.append(cells.of(row), formats)
            if conflict:
                group.count(stage)
            else:
                group.count(stage, row[HOUSEHOLDS], row[OWNERS], row[AGREE], unit_situation == rules.READY)
                if unit_situation:
                    summary.situations[unit_situation] += 1
            summary.stages[stage] += 1
            summary.rows += 1
        if on_chunk is not None:
            on_chunk(len(rows))

    summary.groups = list(groups.values())
    for group in summary.groups:
        summary.totals.add(group)
    _write_summary(workbook, summary_sheet, summary, title=title, group_by=group_by)
    workbook.close()
    return summary


class _UnitCells:
    """A unit's row of cells from its ``UNIT_FIELDS`` and ``PLACE_FIELDS`` values. What depends only on a
    value is worked out once for each value, not once a row: the labels (a lazy string's lookup is most of
    a row's cost), the milestones of each stage, whether each street's policy counts agreement of all
    owners, the time zone of the day a stage began (``timezone.localdate``)."""

    def __init__(self):
        self.stage_labels = {value: str(label) for value, label in Stage.choices}
        self.situation_labels = {code: str(name) for code, name in SITUATION_NAMES.items()}
        self.reached = {stage: tuple("是" if flag else "" for flag in flags) for stage, flags in MILESTONES.items()}
        self.by_all: dict[tuple, bool] = {}  # a street's POLICY_FIELDS → agreement of all owners
        self.here = timezone.get_current_timezone()

    def of(self, row: tuple) -> list:
        (
            _pk, stage, number, eligible, stage_since, signed_on, started_on, completed_on,
            registered_on, plan_total, plan_subsidy, signatures, signed, city_pass, _tally, households, owners,
            area_total, participants, participant_area, agree, agree_area, oppose, abstain, undecided,
            unreachable, threshold_met, agrees_needed, situation, conflict,
            _street, _street_name, _community, community_name, _estate, estate_name, building, *policy,
        ) = row
        if conflict:
            consent = NO_CONSENT
        else:
            policy = tuple(policy)
            if policy not in self.by_all:
                self.by_all[policy] = policy_of(*policy).agreement_of == rules.OF_ALL
            agree_base, area_base = (owners, area_total) if self.by_all[policy] else (participants, participant_area)
            consent = (
                households, owners, agree, oppose, abstain, undecided, unreachable, area_total, agree_area,
                ratio_of(participants, owners), ratio_of(participant_area, area_total),
                ratio_of(agree, agree_base), ratio_of(agree_area, area_base),
                YES if threshold_met else NO, agrees_needed, self.situation_labels.get(situation, ""),
            )
        return [
            community_name, estate_name, building, number, YES if eligible else NO,
            self.stage_labels.get(stage, stage), stage_since.astimezone(self.here).date() if stage_since else None,
            *consent,
            plan_total, plan_subsidy, None if plan_total is None else plan_total - plan_subsidy,
            signed_on, signed if signatures else None, signatures or None,
            started_on, completed_on, city_pass, registered_on,
            *self.reached.get(stage, NOT_REACHED),
        ]


def _summary_values(row: GroupRow) -> list:
    share = ratio_of(row.agree, row.owners)
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
