from django.urls import path

from . import views

urlpatterns = [
    # A unit's status sheet and consent forms.
    path("units/<int:pk>/export/sheet.xlsx", views.unit_sheet_xlsx, name="unit_sheet_xlsx"),
    path("units/<int:pk>/export/sheet.pdf", views.unit_sheet_pdf, name="unit_sheet_pdf"),
    path("units/<int:pk>/export/sheet/", views.unit_sheet_print, name="unit_sheet_print"),
    path("units/<int:pk>/export/consent-form/", views.unit_consent_form, name="unit_consent_form"),
    # The progress workbook of a street, community or estate.
    path("exports/<str:level>/<int:pk>/progress.xlsx", views.progress_workbook, name="progress_workbook"),
    # The report to the district head, and the list behind each of its figures.
    path("reports/district/<str:level>/<int:pk>/", views.district_report_print, name="district_report_print"),
    path("reports/district/<str:level>/<int:pk>/report.docx", views.district_report_docx, name="district_report_docx"),
    path(
        "reports/district/<str:level>/<int:pk>/figures/<slug:key>/",
        views.district_report_figure,
        name="district_report_figure",
    ),
]
