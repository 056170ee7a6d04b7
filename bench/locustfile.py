"""Load scenario (issue 7, item 6): operators logging incidents, analysts verifying them,
officials watching dashboards, all at once. Run by ``bench/load.py``, which starts the
portal (gunicorn), a Celery worker, PostgreSQL and Redis on loopback and reads the figures.

Each simulated user logs in once through the real login form (session cookie, CSRF), then
loops over its role's tasks with think time. Requests are named by page, so the report has
one line per page. The accounts are the load's own (``bench/load.py`` creates them):
``load.op.<n>`` operators of kab/kota, ``load.an.<n>`` analysts and ``load.of.<n>``
officials of their province, password in ``KW_LOAD_PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("KW_LOAD_PASSWORD", "")
ACCOUNTS = int(os.environ.get("KW_LOAD_ACCOUNTS", "20"))
# kab/kota of the load's operators (same order as bench/load.py creates them).
KABKOTA = os.environ.get("KW_LOAD_KABKOTA", "13.77").split(",")
PROVINCES = sorted({code[:2] for code in KABKOTA})
INDICATORS = os.environ.get("KW_LOAD_INDICATORS", "uang-tunai").split(",")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    prefix = ""

    def on_start(self) -> None:
        self.number = random.randrange(ACCOUNTS)
        page = self.client.get("/accounts/login/", name="login (form)")
        token = CSRF.search(page.text).group(1)
        response = self.client.post(
            "/accounts/login/", name="login (post)",
            data={"username": f"{self.prefix}{self.number}", "password": PASSWORD,
                  "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"}, allow_redirects=False)
        if response.status_code != 302:
            response.failure(f"login refused ({response.status_code})")
        self.csrf = self.client.cookies.get("csrftoken", token)

    def api_post(self, url: str, json: dict, name: str, **kwargs):
        return self.client.post(url, json=json, name=name,
                                headers={"X-CSRFToken": self.csrf,
                                         "Referer": f"{self.host}/"}, **kwargs)


class Operator(PortalUser):
    """Kesbangpol staff of a kab/kota: log reports (API, as the phone form posts them),
    look at their list and their reports."""

    weight = 5
    prefix = "load.op."

    @task(3)
    def log_incident(self) -> None:
        code = KABKOTA[self.number % len(KABKOTA)]
        when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=random.randrange(1, 72))
        response = self.api_post("/api/v1/incidents/", name="api: create incident", json={
            "title": f"Pembagian uang tunai di {code}",
            "narrative": "Tim sukses membagikan amplop berisi uang kepada warga.",
            "region": code, "occurred_at": when.isoformat(),
            "indicator": random.choice(INDICATORS), "source_type": "laporan_masyarakat",
            "severity": random.randint(1, 3),
        })
        if response.status_code == 201:
            pk = response.json()["id"]
            self.api_post(f"/api/v1/incidents/{pk}/submit/", json={},
                          name="api: submit incident")

    @task(2)
    def incident_list(self) -> None:
        self.client.get("/incidents/?status=submitted", name="page: incident list")

    @task(1)
    def api_list(self) -> None:
        self.client.get("/api/v1/incidents/?ordering=-occurred_at", name="api: incident list")


class Analyst(PortalUser):
    """Analysts of a province: the verification queue, verify what operators sent."""

    weight = 2
    prefix = "load.an."

    @task(2)
    def queue(self) -> None:
        self.client.get("/incidents/queue/", name="page: verification queue")

    @task(3)
    def verify_one(self) -> None:
        response = self.client.get("/api/v1/incidents/?status=submitted",
                                   name="api: submitted incidents")
        if response.status_code != 200:
            return
        results = response.json().get("results", [])
        if results:
            pk = random.choice(results)["id"]
            # Two analysts may pick the same report: the second is told it moved on (400,
            # the expected answer), never a server error.
            with self.api_post(f"/api/v1/incidents/{pk}/verify/",
                               json={"reliability": "B", "credibility": 2},
                               name="api: verify incident", catch_response=True) as response:
                if response.status_code == 400 and "status" in response.text.lower():
                    response.success()


class Official(PortalUser):
    """Forkopimda officials: the dashboard of their province, its map, a kab/kota, the
    election-day panel and the alerts."""

    weight = 3
    prefix = "load.of."

    def province(self) -> str:
        return PROVINCES[self.number % len(PROVINCES)]

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/dashboards/{self.province()}/", name="page: province dashboard")

    @task(2)
    def dashboard_map(self) -> None:
        self.client.get(f"/dashboards/{self.province()}/map.geojson",
                        name="map: province geojson")

    @task(2)
    def kabkota_dashboard(self) -> None:
        code = random.choice([c for c in KABKOTA if c.startswith(self.province())])
        self.client.get(f"/dashboards/{code}/", name="page: kab/kota dashboard")

    @task(2)
    def live_panel(self) -> None:
        self.client.get(f"/dashboards/{self.province()}/live/panel/",
                        name="panel: election-day (htmx)")

    @task(1)
    def alerts(self) -> None:
        self.client.get("/alerts/", name="page: alerts")
