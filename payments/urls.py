from django.urls import include, path

from . import views

urlpatterns = [
    # A unit's ledger: what each household owes and paid; payments and refunds are recorded on it.
    path("units/<int:pk>/payments/", include([
        path("", views.unit_payments, name="unit_payments"),
        path("record/", views.payment_add, name="payment_add"),
        path("refund/", views.refund_add, name="refund_add"),
    ])),
    path("payments/entries/<int:pk>/reverse/", views.entry_reverse, name="ledger_reverse"),
    path("payments/arrears/", views.arrears_list, name="arrears_list"),
]
