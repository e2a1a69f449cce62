from django.urls import include, path

from . import views

urlpatterns = [
    path("works/", views.works_home, name="works_home"),
    # A unit's works: each record of the works has its form under the unit.
    path("units/<int:pk>/works/", include([
        path("", views.unit_works, name="unit_works"),
        path("approval/", views.approval_edit, name="works_approval"),
        path("construction/", views.construction_edit, name="works_construction"),
        path("log/", views.log_add, name="works_log_add"),
        path("acceptance/", views.acceptance_add, name="works_acceptance_add"),
        path("subsidy/", views.subsidy_edit, name="works_subsidy"),
        path("subsidy/application/", views.subsidy_application_edit, name="works_subsidy_application"),
        path("registration/", views.registration_edit, name="works_registration"),
        path("visits/", views.visit_add, name="works_visit_add"),
        path("inspections/", views.inspection_add, name="works_inspection_add"),
        path("charges/", views.charges_add, name="works_charges_add"),
    ])),
    path("works/charges/<int:pk>/paid/", views.charge_paid, name="works_charge_paid"),
    path("works/log/<int:pk>/photo/", views.log_photo, name="works_log_photo"),
]
