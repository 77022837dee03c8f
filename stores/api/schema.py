"""Describes the project's authentication classes in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CachedBasicAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "stores.api.authentication.CachedBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}


class BodyCredentialsAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "stores.api.authentication.BodyCredentialsAuthentication"
    name = "bodyCredentials"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic", "description": "username/password inside the JSON body (setup only)"}


# Answers every API operation can give whatever its view says, because they come from layers
# around the view: the throttle (429), the database-down middleware (503), the body-size
# middleware (413), authentication (401/403, also a cookie session without its CSRF token).
# Documented here once, so a new endpoint cannot leave them out of the schema.
COMMON_RESPONSES = {
    "429": "Too many requests; Retry-After says when to retry.",
    "503": "The database is unavailable; Retry-After says when to retry.",
}
AUTHENTICATED_RESPONSES = {
    "401": "Missing or wrong credentials.",
    "403": "Authenticated, but this account may not do this (or a session without its CSRF token).",
}
BODY_RESPONSES = {
    "400": "Invalid input: field (or index.field) → reasons.",
    "413": "Body over 1 MiB.",
    "415": "Unsupported Content-Type.",
}
PATH_RESPONSES = {"404": "Not found, or not yours (the two look the same)."}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
ERRORS_REF = {"$ref": "#/components/schemas/Errors"}


def is_authenticated(operation: dict) -> bool:
    return any(requirement for requirement in operation.get("security", [{}]))


# Sender records refuse fields they do not know (stores.api.ingest: "Unknown field.").
CLOSED_REQUEST_COMPONENTS = ("CustomersInput", "HeatmapInput", "QueueInput")
# A path segment that does not match the route's pattern (``/api/stores/abc/…``) never reaches
# the API: Django's resolver answers its plain 404 page.
UNMATCHED_PATH_CONTENT = {"text/html": {"schema": {"type": "string"}}}


def add_common_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: document the statuses of the layers around every view."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in CLOSED_REQUEST_COMPONENTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            statuses = dict(COMMON_RESPONSES)
            if is_authenticated(operation):
                statuses.update(AUTHENTICATED_RESPONSES)
            if "requestBody" in operation:
                statuses.update(BODY_RESPONSES)
            if any(p.get("in") in ("path", "query") for p in operation.get("parameters", [])):
                statuses.update({"400": BODY_RESPONSES["400"]})
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                statuses.update(PATH_RESPONSES)
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                if status not in responses:
                    responses[status] = {
                        "content": {"application/json": {"schema": ERRORS_REF}},
                        "description": description,
                    }
                if status in ("429", "503"):
                    responses[status].setdefault("headers", RETRY_AFTER)
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                responses["404"].setdefault("content", {}).update(UNMATCHED_PATH_CONTENT)
    return result
