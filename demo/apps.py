from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo street and the benchmark district. The top layer: it may import every app, none imports it."""

    name = "demo"
