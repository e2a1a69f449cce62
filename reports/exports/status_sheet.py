"""A unit's status sheet: its plan, stage and dates, consent against the bounds, and a row per household.

``unit_sheets(units, user)`` reads everything for any number of units in a fixed number of queries
(households with votes, plans, shares, signatures, contact counts, stage history, works records,
acceptance checks, rounds, notices). Names and phones are masked here, once, with the user's role,
so the workbook, the print page and the PDF cannot disagree about what a role may see.

The workbook has two sheets:

* 单元情况: one column per unit, one row per figure (a single unit reads as label | value);
* 住户台账: one row per household. Its first columns are the ledger's own (consultations/roster_import/columns.py), in
  the ledger's words, so a sheet exported by staff can be imported again; the figures the ledger does
  not hold (share, signature, contacts) follow and are ignored by the import.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from consultations import rules
from consultations.models import ConsultationRound, Contact, Notice, VoteValue
from consultations.roster_import import columns as ledger
from consultations.selectors import (
    UnitConsent,
    current_vote,
    evaluate_unit,
    households_of,
    same_owner_decisions,
    street_policy,
)
from consultations.situations import NAMES as SITUATION_NAMES
from retrofit import masking, xlsx
from retrofit.ordering import by_floor_then_room
from units import roster_words
from units.models import Contract, Occupancy, Plan, Signature, SignatureStatus, Stage, StageChange, Unit
from units.selectors import current_plans, shares_of
from works.models import AcceptanceLevel, Approval, Construction, Registration
from works.models import Subsidy as SubsidyPayment
from works.selectors import latest_checks_by_unit, one

from .common import (
    AREA_FORMAT,
    DATE_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    fraction_text,
    ratio_value,
    sheet_title,
    width_for,
    yes_no,
)

SUMMARY_SHEET = "单元情况"
HOUSEHOLD_SHEET = ledger.SHEET  # 住户台账: the ledger's sheet name, so the import finds it

# Columns after the ledger's own.
SHARE, RELIEF, SIGNATURE, SIGNED_ON, CONTACTS = "分摊金额（元）", "困难减免（元）", "签字", "签字日期", "联系次数"


@dataclass
class HouseholdRow:
    pk: int
    room: str
    floor: int
    area: Decimal
    owner: str  # every co-owner (张三、李四, docs/rules.md "Co-owned flats"); masked for roles that may not see names
    phone: str  # in groups (139 0000 0001), a co-owned flat's in its owners' order; masked for roles that may not see phones
    occupancy: str
    hardship: bool
    age_band: str
    note: str  # only for editing roles; empty otherwise
    vote: str
    reason: str
    share: Decimal | None
    relief: Decimal | None
    signature: str | None  # SignatureStatus value; None when the household does not sign (no contract, no share)
    signed_on: date | None
    contacts: int
    institution: str = ""  # 产权单位 (公房/单位产权): not personal data, shown to every role

    def get_occupancy_display(self):
        return Occupancy(self.occupancy).label if self.occupancy in Occupancy.values else self.occupancy

    def get_signature_display(self):
        return SignatureStatus(self.signature).label if self.signature else ""


@dataclass
class DateLine:
    key: str
    label: str
    value: date | None
    end: date | None = None  # for a period (the notice)


@dataclass
class UnitSheet:
    unit: Unit
    result: UnitConsent
    plan: Plan | None
    contract: Contract | None
    signatures_signed: int
    signatures_total: int
    dates: list[DateLine]
    stage_dates: list[DateLine]
    households: list[HouseholdRow] = field(default_factory=list)
    shows_notes: bool = False

    @property
    def estate(self):
        return self.unit.building.estate

    @property
    def policy(self) -> rules.Policy:
        return street_policy(self.unit.street)

    @property
    def consent(self) -> rules.Consent | None:
        return self.result.consent

    @property
    def label(self) -> str:
        return f"{self.estate.name} {self.unit.building.number}栋{self.unit.number}单元"

    @property
    def plan_lines(self) -> list[tuple[str, object, str]]:
        """(label, value, kind) of the current plan for the page; kind "money" gets two decimals."""
        p = self.plan
        if p is None:
            return []
        return [
            (_field_label(Plan, "version"), f"v{p.version}", ""),
            (_field_label(Plan, "entry_type"), p.get_entry_type_display(), ""),
            (_field_label(Plan, "stops"), p.stops, ""),
            (_field_label(Plan, "total_cost"), p.total_cost, "money"),
            (_field_label(Plan, "subsidy"), p.subsidy, "money"),
            (_("Residents pay (yuan)"), p.net_cost, "money"),
            (_field_label(Plan, "method"), p.get_method_display(), ""),
            (_field_label(Plan, "signed_at"), timezone.localdate(p.signed_at) if p.signed_at else None, ""),
        ]

    @property
    def date_lines(self) -> list[DateLine]:
        return [line for line in self.dates if line.value is not None]

    @property
    def stage_lines(self) -> list[DateLine]:
        return [line for line in self.stage_dates if line.value is not None]

    @property
    def has_shares(self) -> bool:
        return self.plan is not None

    @property
    def has_signatures(self) -> bool:
        return self.contract is not None


def _field_label(model, name):
    return model._meta.get_field(name).verbose_name


def _stage_dates(changes: list[dict]) -> dict[str, date]:
    return {row["after"]: timezone.localdate(row["first"]) for row in changes}


def unit_sheets(units, user, *, with_households: bool = True) -> list[UnitSheet]:
    """Status sheets for ``units`` (a queryset already scoped to ``user``), in unit order.

    Queries, whatever the number of units and households: units with their one-to-one records (1),
    households with votes (1), same-owner decisions (1), current plans (1), their shares (1), signatures (1), contact counts (1),
    stage history (1), acceptance checks (1), rounds (1), notices (1).
    """
    units = list(
        units.select_related(
            "building__estate__community__street", "contract", "approval", "construction", "registration", "subsidy"
        ).order_by("building__estate__name", "building__number", "number")
    )
    ids = [u.pk for u in units]
    grouped = households_of(units)
    decisions = same_owner_decisions(ids)
    plans = current_plans(units)
    shares = shares_of(plans.values())
    share_of = {s.household_id: s for rows in shares.values() for s in rows}
    signatures = {
        row["household_id"]: row
        for row in Signature.objects.filter(contract__unit_id__in=ids).values("household_id", "status", "signed_on")
    }
    contacts = dict(
        Contact.objects.filter(household__unit_id__in=ids)
        .values("household_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("household_id", "n")
    )
    firsts = defaultdict(list)
    for row in (
        StageChange.objects.filter(unit_id__in=ids).values("unit_id", "after").annotate(first=Min("changed_at")).order_by()
    ):
        firsts[row["unit_id"]].append(row)
    checks = latest_checks_by_unit(ids)
    rounds = {}
    for r in ConsultationRound.objects.filter(unit_id__in=ids).order_by("unit_id", "-number"):
        rounds.setdefault(r.unit_id, r)
    notices = {}
    for n in Notice.objects.filter(unit_id__in=ids).order_by("unit_id", "-started_at", "-id"):
        notices.setdefault(n.unit_id, n)

    notes = user.can_edit
    sheets = []
    for unit in units:
        households = grouped.get(unit.pk, [])
        contract = one(unit, "contract")
        reached = _stage_dates(firsts[unit.pk])
        sheet = UnitSheet(
            unit=unit,
            result=evaluate_unit(unit, households, decisions[unit.pk]),
            plan=plans.get(unit.pk),
            contract=contract,
            signatures_signed=0,
            signatures_total=0,
            dates=_dates(unit, rounds.get(unit.pk), notices.get(unit.pk), contract, checks[unit.pk]),
            stage_dates=[
                DateLine(stage.value, stage.label, reached.get(stage.value))
                for stage in Stage.ORDER
            ],
            shows_notes=notes,
        )
        for household in sorted(households, key=by_floor_then_room):
            share = share_of.get(household.pk) if sheet.plan is not None else None
            signature = signatures.get(household.pk)
            if signature is not None:
                sheet.signatures_total += 1
                sheet.signatures_signed += signature["status"] == SignatureStatus.SIGNED
            if not with_households:
                continue
            vote = current_vote(household)
            sheet.households.append(
                HouseholdRow(
                    pk=household.pk,
                    room=household.room,
                    floor=household.floor,
                    area=household.area,
                    owner=masking.owners_for(user, household.owner_name, household.co_owners),
                    phone=masking.phones_for(user, household.phone, household.co_owners),
                    occupancy=household.occupancy,
                    hardship=household.hardship,
                    age_band=household.age_band,
                    note=household.note if notes else "",
                    vote=vote.value,
                    reason=vote.reason,
                    share=share.amount if share else None,
                    relief=share.relief if share and share.relief else None,
                    signature=signature["status"] if signature else None,
                    signed_on=signature["signed_on"] if signature else None,
                    contacts=contacts.get(household.pk, 0),
                    institution=household.institution,
                )
            )
        sheets.append(sheet)
    return sheets


def _dates(unit, round_, notice, contract, checks) -> list[DateLine]:
    approval = one(unit, "approval")
    construction = one(unit, "construction")
    registration = one(unit, "registration")
    subsidy = one(unit, "subsidy")
    lines = [
        DateLine("stage_since", _field_label(Unit, "stage_since"), timezone.localdate(unit.stage_since) if unit.stage_since else None),
        DateLine("round_opened", _("Consultation opened on"), round_.opened_on if round_ else None),
        DateLine("round_deadline", _field_label(ConsultationRound, "deadline"), round_.deadline if round_ else None),
        DateLine(
            "notice",
            _field_label(Notice, "starts_on"),
            notice.starts_on if notice else None,
            notice.last_day if notice else None,
        ),
        DateLine("contract", _field_label(Contract, "signed_on"), contract.signed_on if contract else None),
        DateLine("permit", _field_label(Approval, "permit_date"), approval.permit_date if approval else None),
        DateLine(
            "market_notice",
            _field_label(Approval, "market_notice_date"),
            approval.market_notice_date if approval else None,
        ),
        DateLine("started", _field_label(Construction, "started_on"), construction.started_on if construction else None),
        DateLine(
            "completed", _field_label(Construction, "completed_on"), construction.completed_on if construction else None
        ),
    ]
    for level, label in AcceptanceLevel.choices:
        check = checks.get(level)
        passed = check.date if check is not None and check.result == "pass" else None
        lines.append(DateLine(f"acceptance_{level}", label, passed))
    lines.append(
        DateLine("registered", _field_label(Registration, "registered_on"), registration.registered_on if registration else None)
    )
    lines.append(DateLine("subsidy", _field_label(SubsidyPayment, "paid_on"), subsidy.paid_on if subsidy else None))
    return lines


# --- the workbook ---------------------------------------------------------------------------------

# Row labels of 单元情况 (Chinese: the sheet is a ledger, like the import's headers) and how to fill them.
DATE_WORDS = {
    "stage_since": "进入本阶段日期",
    "round_opened": "征询开始日期",
    "round_deadline": "意见反馈截止日期",
    "notice": "公示开始日期",
    "notice_end": "公示结束日期",
    "contract": "合同签订日期",
    "permit": "规划许可/联合审查日期",
    "market_notice": "告知市场监管日期",
    "started": "开工日期",
    "completed": "竣工日期",
    "acceptance_supervisory": "监督检验通过日期",
    "acceptance_district": "区级验收通过日期",
    "acceptance_city": "市级验收通过日期",
    "registered": "使用登记日期",
    "subsidy": "补助拨付日期",
}
STAGE_DATE_WORD = "进入“{}”阶段"

HEADER_FONT = Font(name="Calibri", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SECTION_FONT = Font(name="Calibri", bold=True, color="1F4E78")


def _summary_rows(sheets: list[UnitSheet]) -> list[tuple[str, list, str | None]]:
    """(label, one value per unit, number format) for the 单元情况 sheet; label None = section title."""

    def each(fn):
        return [fn(s) for s in sheets]

    def consent(fn):
        return each(lambda s: fn(s.consent, s.policy) if s.consent is not None else None)

    def plan(fn):
        return each(lambda s: fn(s.plan) if s.plan is not None else None)

    rows = [
        ("街道", each(lambda s: s.unit.street.name), None),
        ("社区", each(lambda s: s.estate.community.name), None),
        ("小区", each(lambda s: s.estate.name), None),
        ("楼栋", each(lambda s: s.unit.building.number), None),
        ("单元", each(lambda s: s.unit.number), None),
        ("层数", each(lambda s: s.unit.building.floors), None),
        ("具备安装条件", each(lambda s: yes_no(s.unit.eligible)), None),
        ("阶段", each(lambda s: str(s.unit.get_stage_display())), None),
        ("【方案】", [], "section"),
        ("方案版本", plan(lambda p: f"v{p.version}"), None),
        ("入户方式", plan(lambda p: str(p.get_entry_type_display())), None),
        ("停靠站数", plan(lambda p: p.stops), None),
        ("工程总价（元）", plan(lambda p: p.total_cost), MONEY_FORMAT),
        ("政府补助（元）", plan(lambda p: p.subsidy), MONEY_FORMAT),
        ("居民自筹（元）", plan(lambda p: p.net_cost), MONEY_FORMAT),
        ("分摊方式", plan(lambda p: str(p.get_method_display())), None),
        ("方案已签定", plan(lambda p: yes_no(p.is_signed)), None),
        ("【意愿】", [], "section"),
        ("户数", consent(lambda c, p: c.households), None),
        ("业主人数", consent(lambda c, p: c.owners), None),
        ("总面积（㎡）", consent(lambda c, p: c.area_total), AREA_FORMAT),
        ("参与表决人数", consent(lambda c, p: c.participants), None),
        ("参与表决面积（㎡）", consent(lambda c, p: c.participant_area), AREA_FORMAT),
        ("参与人数比例", consent(lambda c, p: ratio_value(c.participation_by_count)), PERCENT_FORMAT),
        ("参与面积比例", consent(lambda c, p: ratio_value(c.participation_by_area)), PERCENT_FORMAT),
        ("参与要求（不低于）", consent(lambda c, p: fraction_text(p.participation) if p.participation else "—"), None),
        ("参与达标", consent(lambda c, p: yes_no(c.participation_met)), None),
        ("同意人数", consent(lambda c, p: c.agree), None),
        ("同意面积（㎡）", consent(lambda c, p: c.agree_area), AREA_FORMAT),
        ("同意人数比例", consent(lambda c, p: ratio_value(c.agreement_by_count)), PERCENT_FORMAT),
        ("同意面积比例", consent(lambda c, p: ratio_value(c.agreement_by_area)), PERCENT_FORMAT),
        (
            "同意要求（不低于）",
            consent(lambda c, p: fraction_text(p.agreement) + ("（全体）" if p.agreement_of == rules.OF_ALL else "（参与者）")),
            None,
        ),
        ("同意达标", consent(lambda c, p: yes_no(c.agreement_met)), None),
        ("反对", consent(lambda c, p: c.oppose), None),
        ("弃权", consent(lambda c, p: c.abstain), None),
        ("未表态", consent(lambda c, p: c.undecided), None),
        ("联系不上", consent(lambda c, p: c.unreachable), None),
        ("达到法定比例", consent(lambda c, p: yes_no(c.threshold_met)), None),
        ("还需同意人数", consent(lambda c, p: c.agrees_needed), None),
        ("情况分类", consent(lambda c, p: _situation_name(c.situation)), None),
        ("名册冲突", each(lambda s: "" if s.result.ok else str(s.result.conflict)), None),
        ("【签约】", [], "section"),
        ("已签字户数", each(lambda s: s.signatures_signed if s.contract else None), None),
        ("应签字户数", each(lambda s: s.signatures_total if s.contract else None), None),
        ("合同金额（元）", each(lambda s: s.contract.amount if s.contract else None), MONEY_FORMAT),
        ("【日期】", [], "section"),
    ]
    for key, word in DATE_WORDS.items():
        if key == "notice_end":
            rows.append((word, each(lambda s: _line(s, "notice").end), DATE_FORMAT))
        else:
            rows.append((word, each(lambda s, key=key: _line(s, key).value), DATE_FORMAT))
    for position, stage in enumerate(Stage.ORDER):
        rows.append(
            (STAGE_DATE_WORD.format(stage.label), each(lambda s, p=position: s.stage_dates[p].value), DATE_FORMAT)
        )
    return rows


def _line(sheet: UnitSheet, key: str) -> DateLine:
    return next(line for line in sheet.dates if line.key == key)


def _situation_name(code):
    return str(SITUATION_NAMES[code]) if code in SITUATION_NAMES else ""


def household_columns(shows_notes: bool) -> list[tuple[str, str | None]]:
    """(header, number format) of 住户台账: the ledger's columns, then the status figures."""
    # The certificate number is never exported (docs/rules.md, "Who is one owner"): not even its last four,
    # which a re-import would read as a number. Without the column a re-import leaves it as stored.
    ledger_columns = [
        c for c in ledger.TEMPLATE_COLUMNS if (shows_notes or c != ledger.NOTE) and c != ledger.ID_NUMBER
    ]
    formats = {ledger.AREA: AREA_FORMAT}
    return [(c, formats.get(c)) for c in ledger_columns] + [
        (SHARE, MONEY_FORMAT),
        (RELIEF, MONEY_FORMAT),
        (SIGNATURE, None),
        (SIGNED_ON, DATE_FORMAT),
        (CONTACTS, None),
    ]


def household_values(sheet: UnitSheet, row: HouseholdRow, columns) -> list:
    unit = sheet.unit
    values = {
        ledger.STREET: unit.street.name,
        ledger.COMMUNITY: sheet.estate.community.name,
        ledger.ESTATE: sheet.estate.name,
        ledger.BUILDING: unit.building.number,
        ledger.UNIT: unit.number,
        ledger.ROOM: row.room,
        ledger.FLOOR: row.floor,
        ledger.AREA: row.area,
        ledger.OWNER: row.owner,
        ledger.PHONE: row.phone,
        ledger.OCCUPANCY: roster_words.OCCUPANCY_LABEL.get(row.occupancy, row.occupancy),
        ledger.VOTE: ledger.VOTE_LABEL.get(row.vote, row.vote),
        ledger.REASON: row.reason,
        ledger.HARDSHIP: yes_no(row.hardship),
        ledger.NOTE: row.note,
        ledger.AGE_BAND: roster_words.AGE_BAND_LABEL.get(row.age_band, ""),
        ledger.INSTITUTION: row.institution,
        SHARE: row.share,
        RELIEF: row.relief,
        SIGNATURE: str(row.get_signature_display()) if row.signature else "",
        SIGNED_ON: row.signed_on,
        CONTACTS: row.contacts,
    }
    return [values[header] for header, _fmt in columns]


def write_status_workbook(sheets: list[UnitSheet], output) -> None:
    """Write the status sheets of one or more units to ``output`` (a path or a binary file object)."""
    with translation.override("zh-hans"):
        workbook = Workbook()
        summary = workbook.active
        summary.title = SUMMARY_SHEET
        _write_summary(summary, sheets)
        households = workbook.create_sheet(sheet_title(HOUSEHOLD_SHEET, {SUMMARY_SHEET.lower()}))
        _write_households(households, sheets)
        workbook.save(output)


def _write_summary(ws, sheets):
    xlsx.append(ws, ["项目", *[s.label for s in sheets]])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for label, values, fmt in _summary_rows(sheets):
        xlsx.append(ws, [label, *values])
        row = ws.max_row
        if fmt == "section":
            ws.cell(row, 1).font = SECTION_FONT
            continue
        if fmt:
            for column in range(2, len(sheets) + 2):
                ws.cell(row, column).number_format = fmt
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = width_for("规划许可/联合审查日期")
    for index, sheet in enumerate(sheets, start=2):
        ws.column_dimensions[ws.cell(1, index).column_letter].width = width_for(sheet.label, minimum=14)
    for row in ws.iter_rows(min_col=2):
        for cell in row:
            cell.alignment = Alignment(horizontal="right" if isinstance(cell.value, int | Decimal) else "left")


def _write_households(ws, sheets):
    columns = household_columns(any(s.shows_notes for s in sheets))
    xlsx.append(ws, [header for header, _fmt in columns])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    samples = defaultdict(list)
    for sheet in sheets:
        for row in sheet.households:
            values = household_values(sheet, row, columns)
            xlsx.append(ws, values)
            r = ws.max_row
            for index, (header, fmt) in enumerate(columns, start=1):
                if fmt:
                    ws.cell(r, index).number_format = fmt
                if r <= 200:
                    samples[header].append(values[index - 1])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for index, (header, _fmt) in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(1, index).column_letter].width = width_for(header, samples[header])
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# --- the page and the PDF ------------------------------------------------------------------------


def sheet_context(sheets: list[UnitSheet], user) -> dict:
    return {
        "sheets": sheets,
        "vote_labels": dict(VoteValue.choices),
        "today": timezone.localdate(),
        "exported_by": user,
    }

