from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from units import import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("households/<int:pk>/vote/", views.household_vote, name="household_vote"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
