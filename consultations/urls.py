from django.urls import path

from . import views
from .roster_import import views as import_views

urlpatterns = [
    # Visit list: who to see today, best visit first.
    path("visits/", views.visits_home, name="visits_home"),
    path("communities/<int:pk>/visits/", views.community_visits, name="community_visits"),
    path("communities/<int:pk>/visits/print/", views.community_visits_print, name="community_visits_print"),
    path("units/<int:pk>/visits/", views.unit_visits, name="unit_visits"),
    path("units/<int:pk>/visits/print/", views.unit_visits_print, name="unit_visits_print"),
    # Contacts and holdouts of a household.
    path("households/<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/opinion-form/", views.contact_opinion_form, name="contact_opinion_form"),
    path("households/<int:pk>/holdout/", views.holdout_edit, name="holdout_edit"),
    # Consultation rounds.
    path("units/<int:pk>/rounds/new/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/hold/", views.round_hold, name="round_hold"),
    path("rounds/<int:pk>/resume/", views.round_resume, name="round_resume"),
    # Public notice 公示 and objections.
    path("units/<int:pk>/notice/new/", views.notice_start, name="notice_start"),
    path("notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/print/", views.notice_print, name="notice_print"),
    path("notices/<int:pk>/objections/new/", views.objection_new, name="objection_new"),
    path("objections/<int:pk>/settle/", views.objection_settle, name="objection_settle"),
    # Meetings and action items.
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/actions/new/", views.action_item_new, name="action_item_new"),
    path("actions/<int:pk>/done/", views.action_item_done, name="action_item_done"),
    path("actions/mine/", views.my_action_items, name="my_action_items"),
    # Support pattern: who agrees, by floor, occupancy and age.
    path("communities/<int:pk>/support/", views.community_support, name="community_support"),
    path("estates/<int:pk>/support/", views.estate_support, name="estate_support"),
    # Import of the estate ledger: upload, preview, confirm; the template workbook.
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
]
