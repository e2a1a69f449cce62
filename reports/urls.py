from django.urls import path

from . import views
from .district import views as district
from .exports import job_views as jobs
from .exports import views as exports

urlpatterns = [
    # The leaders' dashboard at street, community, estate and building level.
    path("dashboard/", views.dashboard_home, name="dashboard_home"),
    path("dashboard/<str:level>/<int:pk>/", views.dashboard_view, name="dashboard"),
    # A unit's status sheet and consent forms.
    path("units/<int:pk>/export/sheet.xlsx", exports.unit_sheet_xlsx, name="unit_sheet_xlsx"),
    path("units/<int:pk>/export/sheet.pdf", exports.unit_sheet_pdf, name="unit_sheet_pdf"),
    path("units/<int:pk>/export/sheet/", exports.unit_sheet_print, name="unit_sheet_print"),
    path("units/<int:pk>/export/file.pdf", exports.unit_file_pdf, name="unit_file_pdf"),
    path("units/<int:pk>/export/consent-form/", exports.unit_consent_form, name="unit_consent_form"),
    # The progress workbook of a street, community or estate.
    path("exports/<str:level>/<int:pk>/progress.xlsx", exports.progress_workbook, name="progress_workbook"),
    # Long exports made in the background (reports/jobs.py): start one, 我的导出, a job's row, its file.
    path("exports/<str:level>/<int:pk>/status-sheets/", jobs.start_status_sheets, name="export_status_sheets"),
    path("exports/<str:level>/<int:pk>/status-workbooks/", jobs.start_status_workbooks, name="export_status_workbooks"),
    path("exports/district/<int:pk>/report/", jobs.start_district_report, name="export_district_report"),
    path("exports/district/<int:pk>/workbook/", jobs.start_district_workbook, name="export_district_workbook"),
    path("exports/mine/", jobs.my_exports, name="my_exports"),
    path("exports/jobs/<int:pk>/", jobs.export_job, name="export_job"),
    path("exports/jobs/<int:pk>/download/", jobs.export_job_download, name="export_job_download"),
    # The report to the district head, and the list behind each of its figures.
    path("reports/district/<str:level>/<int:pk>/", district.district_report_print, name="district_report_print"),
    path("reports/district/<str:level>/<int:pk>/report.docx", district.district_report_docx, name="district_report_docx"),
    path(
        "reports/district/<str:level>/<int:pk>/figures/<slug:key>/",
        district.district_report_figure,
        name="district_report_figure",
    ),
]
