from django.urls import path

from .roster_import import views as import_views
from .views import (
    contacts,
    holdouts,
    meetings,
    notices,
    offline,
    rounds,
    same_owner,
    support,
    transfers,
    visits,
    votes,
)

urlpatterns = [
    # Visit list: who to see today, best visit first.
    path("visits/", visits.visits_home, name="visits_home"),
    path("communities/<int:pk>/visits/", visits.community_visits, name="community_visits"),
    path("communities/<int:pk>/visits/print/", visits.community_visits_print, name="community_visits_print"),
    path("units/<int:pk>/visits/", visits.unit_visits, name="unit_visits"),
    path("units/<int:pk>/visits/print/", visits.unit_visits_print, name="unit_visits_print"),
    # Without signal: the service worker (at the root, so it covers every page) and the saves on the phone.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline_queue, name="offline_queue"),
    # The vote of a flat (the bottom sheet of the unit page).
    path("households/<int:pk>/vote/", votes.household_vote, name="household_vote"),
    # Two flats listed as possibly one owner: one owner, or different people.
    path("units/<int:pk>/same-owner/", same_owner.same_owner_decision, name="same_owner_decision"),
    # Contacts and holdouts of a household.
    path("households/<int:pk>/contacts/new/", contacts.contact_new, name="contact_new"),
    path("contacts/<int:pk>/opinion-form/", contacts.contact_opinion_form, name="contact_opinion_form"),
    path("households/<int:pk>/holdout/", holdouts.holdout_edit, name="holdout_edit"),
    # A change of owner 过户, and its new owner told after signing.
    path("households/<int:pk>/transfer/", transfers.owner_transfer, name="owner_transfer"),
    path("households/<int:pk>/transfer/told/", transfers.owner_transfer_told, name="owner_transfer_told"),
    # Consultation rounds.
    path("units/<int:pk>/rounds/new/", rounds.round_open, name="round_open"),
    path("rounds/<int:pk>/edit/", rounds.round_edit, name="round_edit"),
    path("rounds/<int:pk>/close/", rounds.round_close, name="round_close"),
    path("rounds/<int:pk>/hold/", rounds.round_hold, name="round_hold"),
    path("rounds/<int:pk>/resume/", rounds.round_resume, name="round_resume"),
    # Public notice 公示 and objections.
    path("units/<int:pk>/notice/new/", notices.notice_start, name="notice_start"),
    path("notices/<int:pk>/edit/", notices.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/print/", notices.notice_print, name="notice_print"),
    path("notices/<int:pk>/objections/new/", notices.objection_new, name="objection_new"),
    path("objections/<int:pk>/settle/", notices.objection_settle, name="objection_settle"),
    # Meetings and action items.
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/actions/new/", meetings.action_item_new, name="action_item_new"),
    path("actions/<int:pk>/done/", meetings.action_item_done, name="action_item_done"),
    path("actions/mine/", meetings.my_action_items, name="my_action_items"),
    # Support pattern: who agrees, by floor, occupancy and age.
    path("communities/<int:pk>/support/", support.community_support, name="community_support"),
    path("estates/<int:pk>/support/", support.estate_support, name="estate_support"),
    # Import of the estate ledger: upload, preview, confirm; the template workbook.
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
]
