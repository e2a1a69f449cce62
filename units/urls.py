from django.urls import path

from . import import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/move/", views.unit_move_view, name="unit_move"),
    path("households/<int:pk>/vote/", views.household_vote, name="household_vote"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
]
