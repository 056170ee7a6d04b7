"""Pages of the incident import (upload, preview, confirm) and the CSV / XLSX exports.

The views only translate HTTP to the services and selectors of ``laporan.transfer``; who may
act is ``laporan.permissions``, and what a user sees is the scoping rule of
``selectors.incident_list``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from laporan import confidential, selectors, transfer
from laporan.choices import ImportStatus
from laporan.filtersets import IncidentFilterSet
from laporan.permissions import can

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS_SHOWN = 200


def _require(user, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied(_("Your role may not do this."))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,"
                                               + XLSX_TYPE}),
    )


# --- Import -------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def incident_import(request):
    _require(request.user, "import")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = transfer.incident_import_preview(by=request.user,
                                                     upload=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("laporan:incident_import_preview", pk=batch.pk)
    return render(request, "laporan/import_form.html", {
        "form": form,
        "batches": transfer.import_batch_list(user=request.user),
        "max_mb": max(1, transfer.max_bytes() // (1024 * 1024)),
        "max_rows": number_format(transfer.MAX_ROWS, force_grouping=True),
        "columns": transfer.COLUMNS,
    })


def _batch_or_404(request, pk: int):
    _require(request.user, "import")
    batch = transfer.import_batch_get(user=request.user, pk=pk)
    if batch is None:
        raise Http404(_("No such import."))
    return batch


def _preview(request, batch, *, error: str = "", status: int = 200):
    return render(request, "laporan/import_preview.html", {
        "batch": batch,
        "is_preview": batch.status == ImportStatus.PREVIEW,
        "rows_shown": batch.rows[:PREVIEW_ROWS_SHOWN],
        "rows_hidden": max(0, len(batch.rows) - PREVIEW_ROWS_SHOWN),
        "confirm_error": error,
    }, status=status)


@login_required
@require_GET
@never_cache
def incident_import_preview(request, pk: int):
    return _preview(request, _batch_or_404(request, pk))


@login_required
@require_POST
def incident_import_confirm(request, pk: int):
    batch = _batch_or_404(request, pk)
    try:
        batch = transfer.incident_import_confirm(batch=batch, by=request.user)
    except ValidationError as exc:
        batch.refresh_from_db()
        return _preview(request, batch, error=" ".join(exc.messages), status=409)
    messages.success(request, ngettext(
        "%(count)d incident was imported and submitted for verification.",
        "%(count)d incidents were imported and submitted for verification.",
        batch.created_count,
    ) % {"count": batch.created_count})
    return redirect("laporan:incident_import_preview", pk=batch.pk)


@login_required
@require_POST
def incident_import_discard(request, pk: int):
    batch = _batch_or_404(request, pk)
    try:
        transfer.incident_import_discard(batch=batch, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("laporan:incident_import_preview", pk=batch.pk)
    messages.success(request, _("The import was discarded; nothing was written."))
    return redirect("laporan:incident_import")


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def incident_import_template_csv(request):
    _require(request.user, "import")
    response = HttpResponse(transfer.import_template_csv(), content_type="text/csv; charset=utf-8")
    return _attachment(response, "templat-impor-kejadian.csv")


@login_required
@require_GET
def incident_import_template_xlsx(request):
    _require(request.user, "import")
    response = HttpResponse(transfer.import_template_xlsx(), content_type=XLSX_TYPE)
    return _attachment(response, "templat-impor-kejadian.xlsx")


# --- Export -------------------------------------------------------------------------------

def _filtered(request):
    """The incidents of the list page for the same query string, or a 400 response: an
    invalid filter must not quietly export more than was asked for."""
    _require(request.user, "export")
    filterset = IncidentFilterSet(
        request.GET, queryset=selectors.incident_list(user=request.user), request=request
    )
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
        )
        response = HttpResponse(_("Invalid filter: %(problems)s") % {"problems": problems},
                                content_type="text/plain; charset=utf-8", status=400)
        return None, response
    return filterset.qs, None


@login_required
@require_GET
def incident_export_csv(request):
    queryset, refusal = _filtered(request)
    if refusal is not None:
        return refusal
    confidential.record_export(request=request, queryset=queryset, file_kind="CSV")
    response = StreamingHttpResponse(
        transfer.incident_export_csv(queryset, language=translation.get_language()),
        content_type="text/csv; charset=utf-8",
    )
    return _attachment(response, transfer.export_filename("csv"))


@login_required
@require_GET
def incident_export_xlsx(request):
    queryset, refusal = _filtered(request)
    if refusal is not None:
        return refusal
    confidential.record_export(request=request, queryset=queryset, file_kind="XLSX")
    response = FileResponse(transfer.incident_export_xlsx(queryset), content_type=XLSX_TYPE)
    return _attachment(response, transfer.export_filename("xlsx"))
