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
