from django.urls import include, path

from . import views

urlpatterns = [
    # Public, no account: found by the link's token only.
    path("r/<str:token>/", include([
        path("", views.resident_unit, name="resident_unit"),
        path("code/", views.resident_code, name="resident_code"),
        path("mine/", views.resident_household, name="resident_household"),
    ])),
    # Staff: a unit's public link and its households' codes; a community's contact for residents.
    path("units/<int:pk>/", include([
        path("public-link/", views.public_link_action, name="public_link_action"),
        path("public-link/qr.png", views.public_link_qr, name="public_link_qr"),
        path("household-codes/", views.household_codes_issue, name="household_codes_issue"),
        path("household-codes/slips/", views.household_code_slips, name="household_code_slips"),
    ])),
    path("communities/<int:pk>/public-contact/", views.community_contact_edit, name="community_contact_edit"),
]
