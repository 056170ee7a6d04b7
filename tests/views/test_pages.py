"""The web shell: login, navigation by role, language, region and election pages, probes."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_page_is_in_indonesian_by_default(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert "Masuk ke Kewaspadaan" in html and "Nama pengguna" in html and "Kata sandi" in html


def test_english_is_chosen_with_the_switcher_not_by_the_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Masuk ke Kewaspadaan" in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert "Log in to Kewaspadaan" in html and "Username" in html


def test_api_errors_are_in_indonesian(client, operator_pariaman):
    client.force_login(operator_pariaman)
    response = client.get("/api/v1/regions/13.72/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "Data tidak ditemukan."}


def test_pages_need_a_login(client):
    for url in ("/", "/regions/", "/regions/13/", "/elections/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_user_logs_in_and_out(client, operator_pariaman):
    response = client.post("/accounts/login/", {"username": "op.pariaman", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    home = client.get("/").content.decode()
    assert "Kota Pariaman" in home and "Pilkada Serentak 2024" in home
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_in_indonesian(client, operator_pariaman):
    response = client.post("/accounts/login/", {"username": "op.pariaman", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "sees", "hidden"),
    [
        ("operator_pariaman", ["Beranda", "Wilayah", "Pemilihan"], ["/admin/", "/api/docs/"]),
        ("official_sumbar", ["Beranda", "Wilayah"], ["/admin/", "/api/docs/"]),
        ("analyst_sumbar", ["/api/docs/"], ["/admin/"]),
        ("admin_user", ["/admin/", "/api/docs/"], []),
    ],
)
def test_navigation_follows_the_role(client, request, persona, sees, hidden):
    client.force_login(request.getfixturevalue(persona))
    nav = client.get("/").content.decode().split('id="site-nav"')[1].split("</nav>")[0]
    for text in sees:
        assert text in nav
    for text in hidden:
        assert text not in nav


def test_home_shows_the_jurisdiction_and_its_contests(client, official_sumbar):
    client.force_login(official_sumbar)
    html = client.get("/").content.decode()
    assert "Sumatera Barat" in html
    assert ">19<" in html  # kab/kota under Sumatera Barat
    assert ">20<" in html  # contests: 1 gubernur + 12 bupati + 7 wali kota


class TestAPariamanOperatorCannotOpenKotaSolok:
    @pytest.fixture(autouse=True)
    def login(self, client, operator_pariaman):
        client.force_login(operator_pariaman)
        self.client = client

    def test_its_region_page_is_not_found(self):
        for code in ("13.72", "13.72.01", "33"):
            response = self.client.get(f"/regions/{code}/")
            assert response.status_code == 404
            assert "Halaman tidak ditemukan" in response.content.decode()

    def test_search_leaves_solok_out(self):
        html = self.client.get("/regions/", {"q": "solok"}).content.decode()
        assert "Kota Solok" not in html
        assert "Tidak ada wilayah yang cocok" in html

    def test_the_election_page_lists_only_its_contests(self):
        html = self.client.get("/elections/1/").content.decode()
        assert "Wali Kota Pariaman" in html and "Gubernur dan Wakil Gubernur Sumatera Barat" in html
        assert "Solok" not in html


def test_the_province_page_shows_only_the_users_part(client, operator_pariaman):
    client.force_login(operator_pariaman)
    html = client.get("/regions/13/").content.decode()
    assert "Kota Pariaman" in html and "Kota Solok" not in html


def test_the_region_list_sends_a_regional_user_to_their_region(client, analyst_sumbar):
    client.force_login(analyst_sumbar)
    assert client.get("/regions/").url == "/regions/13/"


def test_a_national_user_browses_the_38_provinces(client, national_user,
                                                  django_assert_max_num_queries):
    client.force_login(national_user)
    with django_assert_max_num_queries(8):
        html = client.get("/regions/").content.decode()
    assert len(re.findall(r'href="/regions/\d\d/"', html)) == 38
    with django_assert_max_num_queries(10):
        response = client.get("/regions/13.77.01/")
    assert "Karan Aur" in response.content.decode()


def test_healthz_answers_without_touching_services(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    body = json.loads(client.get("/readyz").content)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker"}
    assert body["checks"]["worker"]["mode"] == "in-process"
