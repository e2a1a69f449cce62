from django.urls import path

from . import views

urlpatterns = [
    path("units/<int:pk>/payments/", views.unit_payments, name="unit_payments"),
    path("units/<int:pk>/payments/record/", views.payment_add, name="payment_add"),
    path("units/<int:pk>/payments/refund/", views.refund_add, name="refund_add"),
    path("payments/entries/<int:pk>/reverse/", views.entry_reverse, name="ledger_reverse"),
    path("payments/arrears/", views.arrears_list, name="arrears_list"),
]
