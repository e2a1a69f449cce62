"""Punctuation that follows the language: a Chinese sentence takes full-width marks (阶段：公示), never
an ASCII colon or comma beside a Chinese character. The marks are translated, so an English page keeps
its own."""

from django.utils.translation import pgettext


def colon() -> str:
    """After a label: "阶段：公示" / "Stage: notice"."""
    return pgettext("label suffix", ": ")


def listing(items) -> str:
    """A list in running text: "入户宣传、微信群" / "door-to-door visits, WeChat group"."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
