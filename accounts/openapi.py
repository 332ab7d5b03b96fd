"""``POST /oauth/token`` in the OpenAPI document.

The endpoint is a plain Django view (it answers as the upstream OAuth
service does, not in JSON:API), which drf-spectacular cannot inspect, so
this hook describes it.
"""

MEDIA_TYPE = "application/json"

TOKEN_REQUEST = {
    "type": "object",
    "required": ["grant_type", "email", "password"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["password"]},
        "email": {"type": "string", "format": "email"},
        "password": {"type": "string", "format": "password"},
    },
}

TOKEN = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in", "created_at"],
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer", "description": "Seconds."},
        "refresh_token": {"type": "string", "description": "Always empty."},
        "created_at": {"type": "integer", "description": "A Unix timestamp."},
    },
}

TOKEN_ERROR = {
    "type": "object",
    "required": ["message", "errors"],
    "properties": {
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _ref(schema_name: str) -> dict:
    return {"$ref": f"#/components/schemas/{schema_name}"}


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": _ref(schema_name)}},
    }


def token_endpoint(result: dict, **kwargs) -> dict:
    """Add ``POST /oauth/token`` and its schemas to the document."""
    result["components"]["schemas"].update(
        TokenRequest=TOKEN_REQUEST, Token=TOKEN, TokenError=TOKEN_ERROR
    )
    result["paths"]["/oauth/token"] = {
        "post": {
            "operationId": "oauth_token_create",
            "summary": "Exchange an e-mail and password for a Bearer token",
            "description": "For staff users. Machine clients get long-lived "
            "tokens from an operator (manage.py mint_token).",
            "tags": ["oauth"],
            "security": [],
            "requestBody": {
                "required": True,
                "content": {MEDIA_TYPE: {"schema": _ref("TokenRequest")}},
            },
            "responses": {
                "200": _json("Token", "A new token."),
                "400": _json("TokenError", "The body is not a JSON object."),
                "405": _json("TokenError", "Only POST is allowed."),
                "413": _json(
                    "TokenError", "The body is larger than MAX_REQUEST_BODY_BYTES."
                ),
                "422": _json(
                    "TokenError",
                    "A missing field, another grant type or wrong credentials.",
                ),
                "429": {
                    **_json(
                        "TokenError",
                        "Too many attempts for this e-mail address or from this "
                        "client address.",
                    ),
                    "headers": {
                        "Retry-After": {
                            "description": "Seconds to wait before trying again.",
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    },
                },
            },
        }
    }
    return result
