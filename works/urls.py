from django.urls import path

from . import views

urlpatterns = [
    path("works/", views.works_home, name="works_home"),
    path("units/<int:pk>/works/", views.unit_works, name="unit_works"),
    path("units/<int:pk>/works/approval/", views.approval_edit, name="works_approval"),
    path("units/<int:pk>/works/construction/", views.construction_edit, name="works_construction"),
    path("units/<int:pk>/works/log/", views.log_add, name="works_log_add"),
    path("units/<int:pk>/works/acceptance/", views.acceptance_add, name="works_acceptance_add"),
    path("units/<int:pk>/works/subsidy/", views.subsidy_edit, name="works_subsidy"),
    path(
        "units/<int:pk>/works/subsidy/application/",
        views.subsidy_application_edit,
        name="works_subsidy_application",
    ),
    path("units/<int:pk>/works/registration/", views.registration_edit, name="works_registration"),
    path("units/<int:pk>/works/visits/", views.visit_add, name="works_visit_add"),
    path("units/<int:pk>/works/inspections/", views.inspection_add, name="works_inspection_add"),
    path("units/<int:pk>/works/charges/", views.charges_add, name="works_charges_add"),
    path("works/charges/<int:pk>/paid/", views.charge_paid, name="works_charge_paid"),
    path("works/log/<int:pk>/photo/", views.log_photo, name="works_log_photo"),
]
