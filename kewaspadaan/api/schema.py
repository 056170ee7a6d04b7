"""The OpenAPI schema class of the API: drf-spectacular's, plus the error answers every
operation really gives, so a client (and the schemathesis run of tests/security) reads
them from the schema too:

- 400 with the messages per field (``{"field": ["..."]}``; ``non_field_errors`` for the
  whole request; ``detail`` for a body that is not JSON), for a bad body, filter or
  parameter;
- 401 without credentials (or with a wrong token), 403 when the role may not act,
- 404 for a record that does not exist or is outside the caller's jurisdiction or
  classification (the two are never told apart), and for a cursor that is not one.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per field, in the caller's language; nested for lists of "
                   "objects; non_field_errors for the whole request.",
    "additionalProperties": {"oneOf": [
        {"type": "array", "items": {}},
        {"type": "object"},
        {"type": "string"},
    ]},
}
ERRORS = {
    400: OpenApiResponse(FIELD_ERRORS, description="Invalid input."),
    401: OpenApiResponse(DETAIL, description="Not signed in, or the token is not valid."),
    403: OpenApiResponse(DETAIL, description="The caller's role may not do this."),
    404: OpenApiResponse(DETAIL, description="Not found, or not visible to the caller."),
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in ERRORS.items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(response, str(code))
        return responses
