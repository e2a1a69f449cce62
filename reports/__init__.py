"""The top layer: the dashboard and its attention list, every export, the report to the district head.

It reads every app and nothing imports it (templates load its tags by name).
"""
