import json
from io import StringIO

from django.core.management import call_command
from openpyxl import load_workbook

REQUIRED_KEYS = {
    "street", "community", "estate", "building", "unit", "stage", "households", "owners", "area_total",
    "participants", "participant_area", "agree", "agree_area", "oppose", "abstain", "participation_met",
    "agreement_met", "threshold_met", "agrees_needed", "category",
}


def _status(**options):
    out = StringIO()
    call_command("unit_status", format="json", stdout=out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_json_object_per_unit_with_exact_figures(world):
    rows = _status()
    assert len(rows) == 3
    row = next(r for r in rows if r["estate"] == "绵纺厂宿舍小区")
    assert REQUIRED_KEYS <= row.keys()
    assert row == row | {
        "street": "红旗街道",
        "community": "绵纺社区",
        "building": "1",
        "unit": "1",
        "stage": "survey",
        "households": 12,
        "owners": 12,
        "area_total": "960.00",
        "participants": 10,
        "participant_area": "800.00",
        "agree": 8,
        "agree_area": "640.00",
        "oppose": 1,
        "abstain": 1,
        "participation_met": True,
        "agreement_met": True,
        "threshold_met": True,
        "agrees_needed": 0,
        "category": "ready",
    }


def test_estate_filter(world):
    rows = _status(estate="光华小区")
    assert [r["estate"] for r in rows] == ["光华小区"]


def test_xlsx_output_has_the_same_rows(world, tmp_path):
    path = tmp_path / "status.xlsx"
    call_command("unit_status", format="xlsx", output=str(path))
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert REQUIRED_KEYS <= set(header)
    assert sheet.max_row == 4
