from django.urls import include, path

from . import contract_views, plan_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("units/<int:pk>/", include([
        path("", views.unit_detail, name="unit_detail"),
        path("move/", views.unit_move_view, name="unit_move"),
        # The cost-share plan and the running costs.
        path("plan/", plan_views.unit_plan, name="unit_plan"),
        path("plan/preview/", plan_views.plan_preview, name="plan_preview"),
        path("plan/print/", plan_views.plan_print, name="plan_print"),
        path("running-costs/", plan_views.running_costs, name="running_costs"),
        path("running-costs/preview/", plan_views.running_costs_preview, name="running_costs_preview"),
        # The contract, its signatures household by household, and its scans.
        path("contract/", include([
            path("", contract_views.unit_contract, name="unit_contract"),
            path("start/", contract_views.contract_start, name="contract_start"),
            path("signatures/<int:household_pk>/", contract_views.signature_update, name="signature_update"),
            path("scan/", contract_views.contract_scan, name="contract_scan"),
            path("scan/<int:version_pk>/", contract_views.contract_scan_version, name="contract_scan_version"),
        ])),
    ])),
]
