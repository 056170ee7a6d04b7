"""Ids too large for a database key, or not whole numbers, in a filter or a path: a 400 or
404, never a server error (schemathesis found ``?incident=-1.79e308`` overflowing)."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.security]

BIG = "99999999999999999999999"


@pytest.mark.parametrize("url", [
    "/api/v1/referrals/?incident=-1.7976931348623155e%2B308",
    f"/api/v1/evidence/?incident={BIG}",
    "/api/v1/meetings/?forum=1e30",
    "/api/v1/recommendations/?meeting=0.5",
    f"/api/v1/incidents/{BIG}/",
    f"/api/v1/incidents/{BIG}/history/",
    f"/api/v1/recommendations/{BIG}/approve/",
    f"/api/v1/regions/{BIG}/",
    f"/api/v1/alerts/?election={BIG}",
])
def test_an_id_out_of_range_is_refused_not_a_server_error(api_client, analyst_sumbar, url):
    api_client.force_authenticate(analyst_sumbar)
    response = api_client.post(url) if "approve" in url else api_client.get(url)
    assert response.status_code in (400, 404), (url, response.status_code, response.content)
