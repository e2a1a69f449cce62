"""Moved here from units/imports.py; split out of parsing.py in the next step."""

from .parsing import *  # noqa: F401,F403
from .parsing import import_roster  # noqa: F401 (views and tests look it up here)
