"""The project's URLs plus the floor of the creation benchmark (bench/intake.py): a bare
view that inserts one incident row and answers 201, behind the same middleware."""

from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kewaspadaan.models import Indicator
from laporan.models import Incident

_INDICATOR: list = []


@csrf_exempt
@require_POST
def bare_insert(request):
    if not _INDICATOR:
        _INDICATOR.append(Indicator.objects.get(code="asn-grup-percakapan"))
    indicator = _INDICATOR[0]
    incident = Incident.objects.create(
        title="Grup WhatsApp 15 ASN", narrative="Uji: satu baris.", region_id="13.77",
        occurred_at=timezone.now(), indicator=indicator, athg=indicator.athg,
        source_type="laporan_masyarakat", created_by=request.user)
    return JsonResponse({"id": incident.pk}, status=201)


urlpatterns = [
    path("bench/bare-insert/", bare_insert),
    path("", include("kewaspadaan.urls")),
]
