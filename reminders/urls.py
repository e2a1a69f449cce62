from django.urls import path

from . import views

urlpatterns = [
    path("reminders/", views.reminder_list, name="reminders"),
    path("reminders/badge/", views.reminder_badge, name="reminder_badge"),
]
