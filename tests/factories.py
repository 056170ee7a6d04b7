"""Factories that create through the services, so tests exercise the same rules as users."""

import factory

from kewaspadaan import services
from kewaspadaan.models import Region, User

PASSWORD = "kata-sandi-uji-2024"


class UserFactory(factory.Factory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = "operator"
    jurisdiction_code = "13.77"
    first_name = factory.Faker("first_name")
    institution = "Kesbangpol"

    @classmethod
    def _create(cls, model_class, *, jurisdiction_code, **kwargs):
        region = Region.objects.get(code=jurisdiction_code) if jurisdiction_code else None
        return services.user_create(password=PASSWORD, jurisdiction=region, **kwargs)
