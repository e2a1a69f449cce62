from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from units.views import healthz

from .login import LoginView
from .views import root_icon

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", root_icon, {"name": "favicon.ico"}, name="favicon"),
    path("apple-touch-icon.png", root_icon, {"name": "apple-touch-icon.png"}, name="apple_touch_icon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("consultations.urls")),
    path("", include("units.urls")),
    path("", include("works.urls")),
    path("", include("reports.urls")),
    path("", include("residents.urls")),
    path("", include("payments.urls")),
    path("", include("reminders.urls")),
]
