from django.urls import path

from . import contract_views, plan_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/move/", views.unit_move_view, name="unit_move"),
    path("units/<int:pk>/plan/", plan_views.unit_plan, name="unit_plan"),
    path("units/<int:pk>/plan/preview/", plan_views.plan_preview, name="plan_preview"),
    path("units/<int:pk>/plan/print/", plan_views.plan_print, name="plan_print"),
    path("units/<int:pk>/running-costs/", plan_views.running_costs, name="running_costs"),
    path("units/<int:pk>/running-costs/preview/", plan_views.running_costs_preview, name="running_costs_preview"),
    path("units/<int:pk>/contract/", contract_views.unit_contract, name="unit_contract"),
    path("units/<int:pk>/contract/start/", contract_views.contract_start, name="contract_start"),
    path(
        "units/<int:pk>/contract/signatures/<int:household_pk>/",
        contract_views.signature_update,
        name="signature_update",
    ),
    path("units/<int:pk>/contract/scan/", contract_views.contract_scan, name="contract_scan"),
    path(
        "units/<int:pk>/contract/scan/<int:version_pk>/", contract_views.contract_scan_version,
        name="contract_scan_version",
    ),
]
