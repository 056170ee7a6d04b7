"""The forkopimda API's routes, added to the one /api/v1/ router (settings.API_ROUTES)."""


def register(router) -> None:
    # forums, meetings, recommendations (issue 6) register here.
    return None
