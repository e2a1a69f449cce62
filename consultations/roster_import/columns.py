"""Moved here from units/imports.py; split out of parsing.py in the next step."""

from .parsing import *  # noqa: F401,F403
from .parsing import SAMPLE_COMMUNITY, SAMPLE_ESTATE, SAMPLE_STREET

SAMPLE_ROW = (
    SAMPLE_STREET, SAMPLE_COMMUNITY, SAMPLE_ESTATE, "1", "1", "302", 3, 68.45, "张三", "13800001234", "自住", "同意", "", "否", "",
    "60-74岁",
)
