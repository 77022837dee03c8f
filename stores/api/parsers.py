"""The one JSON parser of every API endpoint (``DEFAULT_PARSER_CLASSES``)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser, get_encoding

from vislivis import safejson


class SafeJSONParser(JSONParser):
    """DRF's JSON parser with the limits of ``vislivis.safejson``: depth, NUL, surrogates, numbers.

    A refused value is a 400 keyed by its path (``requests.0.args.duration_second``), the same
    shape as a serializer's error, so one error reaches the client however deep it sat.
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        encoding = get_encoding(parser_context or {})
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - not {encoding} text: {exc}") from None
        try:
            return safejson.loads(text)
        except safejson.UnsafeJSON as exc:
            raise ValidationError(exc.errors) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
