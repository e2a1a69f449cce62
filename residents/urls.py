from django.urls import path

from . import views

urlpatterns = [
    # Public, no account: found by the link's token only.
    path("r/<str:token>/", views.resident_unit, name="resident_unit"),
    path("r/<str:token>/code/", views.resident_code, name="resident_code"),
    path("r/<str:token>/mine/", views.resident_household, name="resident_household"),
    path("r/<str:token>/type/", views.resident_large_type, name="resident_large_type"),
    # Staff.
    path("units/<int:pk>/public-link/", views.public_link_action, name="public_link_action"),
    path("units/<int:pk>/public-link/qr.png", views.public_link_qr, name="public_link_qr"),
    path("units/<int:pk>/household-codes/", views.household_codes_issue, name="household_codes_issue"),
    path("units/<int:pk>/household-codes/slips/", views.household_code_slips, name="household_code_slips"),
    path("communities/<int:pk>/public-contact/", views.community_contact_edit, name="community_contact_edit"),
]
