from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The top layer: the leaders' dashboard, every export and the report to the district."""

    name = "reports"
