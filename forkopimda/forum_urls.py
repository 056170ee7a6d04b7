"""Forum, meeting and recommendation pages and their documents (issue 6)."""

urlpatterns: list = []
