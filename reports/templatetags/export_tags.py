"""The 导出 (export) menus of the unit page and the dashboard, and lookups the report templates use."""

from django import template
from django.apps import apps
from django.urls import reverse
from django.utils.text import capfirst

from consultations.models import Notice
from units.permissions import covers_whole

register = template.Library()


@register.filter
def figure(figures, key):
    return figures.get(key) if figures else None


@register.filter
def label(model, name):
    """A model field's name as its form shows it: ``{{ notice|label:"starts_on" }}`` or, with no row at
    hand (a table's header), ``{{ "consultations.Objection"|label:"resolution" }}``."""
    if isinstance(model, str):
        model = apps.get_model(model)
    return capfirst(model._meta.get_field(name).verbose_name)


def _can_export(user) -> bool:
    return user.is_authenticated and user.can_see_roster


@register.inclusion_tag("exports/includes/_unit_export_menu.html", takes_context=True)
def unit_export_menu(context, unit):
    """Status sheet (Excel, PDF, print), consent forms, and the unit's latest public notice. One query."""
    user = context["request"].user
    if not _can_export(user):
        return {"show": False}
    notice = Notice.objects.filter(unit=unit).order_by("-started_at", "-id").only("pk").first()
    return {"show": True, "unit": unit, "notice": notice}


@register.inclusion_tag("exports/includes/_dashboard_export_menu.html", takes_context=True)
def dashboard_export_menu(context, level, obj):
    """The progress workbook of this level (with the page's filters), every unit's status sheet as one PDF
    (a background job), and the report to the district."""
    request = context["request"]
    user = request.user
    if not _can_export(user):
        return {"show": False}
    if level == "building":
        level, obj = "estate", obj.estate
    workbook = reverse("progress_workbook", kwargs={"level": level, "pk": obj.pk})
    query = request.GET.urlencode()
    report = covers_whole(user, level, obj)
    return {
        "show": True,
        "workbook_url": f"{workbook}?{query}" if query else workbook,
        "sheets_url": reverse("export_status_sheets", kwargs={"level": level, "pk": obj.pk}),
        "workbooks_url": reverse("export_status_workbooks", kwargs={"level": level, "pk": obj.pk}),
        "csrf_token": context.get("csrf_token"),  # an inclusion tag's template has only what it is given
        "report": report,
        "report_print": reverse("district_report_print", kwargs={"level": level, "pk": obj.pk}) if report else "",
        "report_docx": reverse("district_report_docx", kwargs={"level": level, "pk": obj.pk}) if report else "",
    }


@register.inclusion_tag("exports/includes/_district_export_menu.html", takes_context=True)
def district_export_menu(context, district):
    """The district's workbook and report as background jobs, and the report's print page and .docx: for
    those who cover the whole district (its housing bureau)."""
    user = context["request"].user
    if not (_can_export(user) and covers_whole(user, "district", district)):
        return {"show": False}
    return {"show": True, "obj": district, "csrf_token": context.get("csrf_token")}
