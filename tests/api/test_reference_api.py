"""The reference API: complete data for a national user, and nothing outside a jurisdiction."""

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def all_results(client, url, params):
    """Follow the cursor through every page."""
    results, next_url = [], url
    query = {**params, "page_size": 1000}
    while next_url:
        response = client.get(next_url, query)
        assert response.status_code == 200, response.content
        body = response.json()
        results.extend(body["results"])
        next_url, query = body["next"], None
    return results


def test_a_national_user_gets_every_region_level(api_client, national_user):
    api_client.force_authenticate(national_user)
    for level, expected in ((1, 38), (2, 514), (3, 7285)):
        assert len(all_results(api_client, "/api/v1/regions/", {"level": level})) == expected


@pytest.mark.slow
def test_a_national_user_gets_all_83762_desa_and_kelurahan(api_client, national_user):
    api_client.force_authenticate(national_user)
    rows = all_results(api_client, "/api/v1/regions/", {"level": 4})
    assert len(rows) == 83_762
    assert len({r["code"] for r in rows}) == 83_762


def test_kota_pariaman_by_code(api_client, national_user):
    api_client.force_authenticate(national_user)
    body = api_client.get("/api/v1/regions/13.77/").json()
    assert body["name"] == "Kota Pariaman"
    assert body["parent"] == "13" and body["timezone"] == "WIB" and body["level"] == 2
    parent = api_client.get("/api/v1/regions/13/").json()
    assert parent["name"] == "Sumatera Barat"


def test_regions_are_searchable_by_name_or_code_and_filterable_by_parent(api_client,
                                                                          national_user):
    api_client.force_authenticate(national_user)
    by_name = all_results(api_client, "/api/v1/regions/", {"q": "pariaman", "level": 2})
    assert {r["code"] for r in by_name} == {"13.05", "13.77"}  # Padang Pariaman, Kota Pariaman
    by_code = all_results(api_client, "/api/v1/regions/", {"q": "13.77", "level": 3})
    assert len(by_code) == 4
    children = all_results(api_client, "/api/v1/regions/", {"parent": "13"})
    assert len(children) == 19


def test_545_contests_split_37_415_93(api_client, national_user):
    api_client.force_authenticate(national_user)
    contests = all_results(api_client, "/api/v1/contests/", {})
    assert len(contests) == 545
    for kind, expected in (("gubernur", 37), ("bupati", 415), ("wali_kota", 93)):
        assert len(all_results(api_client, "/api/v1/contests/", {"kind": kind})) == expected
    sumbar = all_results(api_client, "/api/v1/contests/", {"within": "13"})
    assert len(sumbar) == 20


def test_stages_by_date_and_by_instant_in_a_region(api_client, operator_pariaman):
    api_client.force_authenticate(operator_pariaman)
    quiet = api_client.get("/api/v1/stages/", {"date": "2024-11-25"}).json()["results"]
    assert [s["slug"] for s in quiet] == ["masa-tenang"]
    campaign = api_client.get("/api/v1/stages/", {"date": "2024-10-01"}).json()["results"]
    assert [s["slug"] for s in campaign] == ["kampanye"]
    at = api_client.get(
        "/api/v1/stages/", {"at": "2024-11-23T16:30:00Z", "region": "91.71"}
    ).json()["results"]
    assert [s["slug"] for s in at] == ["masa-tenang"]


def test_an_instant_without_a_region_gets_a_clear_indonesian_message(api_client,
                                                                      operator_pariaman):
    api_client.force_authenticate(operator_pariaman)
    response = api_client.get("/api/v1/stages/", {"at": "2024-11-23T16:30:00Z"})
    assert response.status_code == 400
    assert "memerlukan 'region'" in response.json()["region"][0]


def test_elections_list_their_stages(api_client, official_sumbar):
    api_client.force_authenticate(official_sumbar)
    [election] = api_client.get("/api/v1/elections/").json()["results"]
    assert election["voting_day"] == "2024-11-27"
    assert len(election["stages"]) == 10


class TestAPariamanOperatorCannotReadKotaSolok:
    @pytest.fixture(autouse=True)
    def login(self, api_client, operator_pariaman):
        api_client.force_authenticate(operator_pariaman)
        self.client = api_client

    def test_region_detail_is_not_found(self):
        for code in ("13.72", "13.72.01", "33"):
            response = self.client.get(f"/api/v1/regions/{code}/")
            assert response.status_code == 404
            assert response.json() == {"detail": "Data tidak ditemukan."}

    def test_region_lists_leave_solok_out(self):
        assert all_results(self.client, "/api/v1/regions/", {"within": "13.72"}) == []
        assert all_results(self.client, "/api/v1/regions/", {"q": "solok"}) == []
        kabkota = all_results(self.client, "/api/v1/regions/", {"level": 2})
        assert [r["code"] for r in kabkota] == ["13.77"]

    def test_contests_leave_solok_out(self):
        from kewaspadaan.models import Contest

        solok = Contest.objects.get(region_id="13.72")
        assert self.client.get(f"/api/v1/contests/{solok.pk}/").status_code == 404
        assert all_results(self.client, "/api/v1/contests/", {"region": "13.72"}) == []

    def test_boundary_is_not_found(self):
        assert self.client.get("/api/v1/regions/13.72/boundary/").status_code == 404


def test_the_api_needs_a_login(api_client):
    response = api_client.get("/api/v1/regions/")
    assert response.status_code in (401, 403)


def test_integrations_authenticate_with_a_token(api_client, operator_pariaman):
    token = Token.objects.create(user=operator_pariaman)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/regions/13.77/").status_code == 200
    assert api_client.get("/api/v1/regions/13.72/").status_code == 404


def test_the_schema_and_docs_are_served_without_a_cdn(client, analyst_sumbar):
    client.force_login(analyst_sumbar)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/regions/", "/api/v1/elections/", "/api/v1/stages/",
                 "/api/v1/contests/", "/api/v1/regions/{code}/"):
        assert path in paths
    docs = client.get("/api/docs/").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_region_lists_cost_a_fixed_number_of_queries(api_client, national_user,
                                                     django_assert_max_num_queries):
    api_client.force_authenticate(national_user)
    with django_assert_max_num_queries(3):
        api_client.get("/api/v1/regions/", {"level": 4, "page_size": 1000})
    with django_assert_max_num_queries(4):
        api_client.get("/api/v1/contests/", {"page_size": 1000})
