"""Scoring profiles are versioned in the admin: a new version, never an edit."""

import pytest

from kewaspadaan.models import ScoringProfile
from kewaspadaan.services import risk

pytestmark = pytest.mark.django_db


def test_an_admin_adds_a_version_and_unknown_parameters_are_refused(client, admin_user):
    risk.profile_active()  # version 1
    client.force_login(admin_user)
    bad = client.post("/admin/kewaspadaan/scoringprofile/add/",
                      {"name": "Salah", "parameters": '{"paruh_waktu": 7}', "notes": ""})
    assert bad.status_code == 200 and not ScoringProfile.objects.filter(name="Salah").exists()
    ok = client.post("/admin/kewaspadaan/scoringprofile/add/",
                     {"name": "Paruh waktu 7 hari", "parameters": '{"half_life_days": 7}',
                      "notes": "Uji"})
    assert ok.status_code == 302
    v2 = ScoringProfile.objects.get(name="Paruh waktu 7 hari")
    assert v2.version == 2 and not v2.is_active
    assert v2.to_profile().half_life_days == 7
    change = client.get(f"/admin/kewaspadaan/scoringprofile/{v2.pk}/change/").content.decode()
    assert 'name="parameters"' not in change  # published versions are read-only


def test_activating_a_version_switches_the_active_profile(admin_user,
                                                          django_capture_on_commit_callbacks):
    v1 = risk.profile_active()
    v2 = ScoringProfile.objects.create(version=2, name="v2", parameters={"saturation": 10})
    with django_capture_on_commit_callbacks(execute=True):
        risk.profile_activate(profile=v2)
    assert risk.profile_active() == v2
    v1.refresh_from_db()
    assert not v1.is_active
