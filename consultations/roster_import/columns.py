"""The estate ledger's words: its sheets, its column names, the words its cells may hold, the template's sample.

Column headers and cell words are the ledger's own words (住户台账 as staff keep it): they are data, not
interface text. The words of a household's roster fields live with the roster (units/roster_words.py)
and are imported here, so every column name of the ledger reads as ``columns.NAME``; the words its cells
may hold for those fields (OCCUPANCY_WORDS …) are in units/roster_words.py too.
"""

from __future__ import annotations

from decimal import Decimal

from consultations import rules
from units.models import EntryType, SplitMethod
from units.roster_words import (
    AGE_BAND,
    AREA,
    FLOOR,
    HARDSHIP,
    ID_NUMBER,
    INSTITUTION,
    NOTE,
    OCCUPANCY,
    OWNER,
    PHONE,
    ROOM,
)

SHEET = "住户台账"
PLAN_SHEET = "单元方案"  # optional: one row per unit with its plan (一单元一策)

STREET, COMMUNITY, ESTATE, BUILDING, UNIT = "街道", "社区", "小区", "楼栋", "单元"
VOTE, REASON = "意愿", "反对原因"
RELIEF = "困难减免"  # yuan off this flat's share in the plan of sheet 单元方案
ENTRY, TOTAL_COST, SUBSIDY, METHOD, COEFFICIENTS = "入户方式", "工程总价", "政府补助", "分摊方式", "楼层系数"

# Only 年龄段 may be left out: a ledger without 困难户 or 备注 would otherwise reset them on re-import.
REQUIRED_COLUMNS = (
    STREET, COMMUNITY, ESTATE, BUILDING, UNIT, ROOM, FLOOR, AREA, OWNER, PHONE, OCCUPANCY, VOTE, REASON, HARDSHIP, NOTE,
)
# 证件号码 and 产权单位 decide who the owner is where given (docs/rules.md, "Who is one owner"); a ledger
# without them leaves what is stored as it is.
OPTIONAL_COLUMNS = (AGE_BAND, ID_NUMBER, INSTITUTION)
# The template's notes on these columns (the ledger's own words, like its headers).
COLUMN_NOTES = {
    ID_NUMBER: (
        "选填：身份证或其他证件号码。填写后按证件号码认定业主（同一证件号码的多套房屋计为一名业主）。"
        "系统只保存加密摘要和后四位，不保存、不显示、不导出完整号码；只读账号看不到任何部分。"
        "请将本列设为文本格式，以免长号码被 Excel 截断。"
    ),
    INSTITUTION: (
        "选填：公房/单位产权房屋的产权单位名称（如 某某机械厂、市房管局）；私人产权留空。"
        "同一产权单位的多套房屋计为一名业主。街道也可在后台登记产权单位名单，业主姓名与名单一致的房屋同样按单位产权计。"
    ),
}
MAX_ID_NUMBER = 30  # characters of a certificate number in its one form (an ID card has 18)
# Read when present, for the plans of sheet 单元方案; not part of the plain ledger template.
PLAN_LEDGER_COLUMNS = (RELIEF,)
# 政府补助 empty: the street's rule; 楼层系数 empty: the street's default table.
PLAN_REQUIRED_COLUMNS = (STREET, COMMUNITY, ESTATE, BUILDING, UNIT, ENTRY, TOTAL_COST, METHOD)
PLAN_OPTIONAL_COLUMNS = (SUBSIDY, COEFFICIENTS)
PLAN_TEMPLATE_COLUMNS = (STREET, COMMUNITY, ESTATE, BUILDING, UNIT, ENTRY, TOTAL_COST, SUBSIDY, METHOD, COEFFICIENTS)
ENTRY_WORDS = {"平层入户": EntryType.FLAT, "半层入户": EntryType.HALF}
METHOD_WORDS = {"按楼层系数": SplitMethod.FLOOR, "按楼层系数×面积": SplitMethod.FLOOR_AREA}
MAX_MONEY = Decimal("10000000000")  # the fields hold 12 digits with 2 decimals
TEMPLATE_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
# The model fields' max_length: longer text would fail in PostgreSQL instead of being reported.
MAX_LENGTH = {STREET: 100, COMMUNITY: 100, ESTATE: 100, BUILDING: 20, UNIT: 20, ROOM: 20, OWNER: 50, INSTITUTION: 100}

VOTE_WORDS = {
    "同意": rules.AGREE,
    "反对": rules.OPPOSE,
    "弃权": rules.ABSTAIN,
    "未表态": rules.UNDECIDED,
    "联系不上": rules.UNREACHABLE,
    "": rules.UNDECIDED,
}
VOTE_LABEL = {value: word for word, value in VOTE_WORDS.items() if word}

MAX_AREA = Decimal("10000")

# The template's sample rows carry this estate name: the reader skips them (and says so), so a sample
# left in the sheet never writes over a real flat.
SAMPLE_ESTATE = "示例小区（本行为示例，导入时跳过）"
SAMPLE_STREET, SAMPLE_COMMUNITY = "示例街道", "示例社区"
# The template's sample household, in the order of TEMPLATE_COLUMNS.
SAMPLE_ROW = (
    SAMPLE_STREET, SAMPLE_COMMUNITY, SAMPLE_ESTATE, "1", "1", "302", 3, 68.45, "张三", "13800001234", "自住", "同意", "", "否", "",
    "60-74岁", "", "",
)
# The template's sample plan, in the order of PLAN_TEMPLATE_COLUMNS.
SAMPLE_PLAN_ROW = (
    SAMPLE_STREET, SAMPLE_COMMUNITY, SAMPLE_ESTATE, "1", "1", "平层入户", 620000, "", "按楼层系数", "1:0, 2:1.5, 3:4, 4:9, 5:15, 6:20.5",
)

# What an import may not change once a unit has reached signing: the signed shares and the contract rest
# on them (owner identity, area and floor coefficient). Phones, occupancy, notes and votes still change.
SIGNED_FIELDS = ("owner_name", "area", "floor")
