"""Store codes derived from names: what sender payloads and URLs call a store.

``slugify`` alone drops letters it cannot fold to ASCII, and Turkish has several that Unicode
does not decompose: ``Koton Kadıköy`` became ``koton-kadkoy`` (issue 18). Turkish letters are
transliterated first (ı→i, İ→i, ş→s, ğ→g, ç→c, ö→o, ü→u), then the rest is slugified.

The brand is the code's prefix (codes are unique across brands) but only once: a store named
after its brand ("Koton Kadıköy" of Koton) gives ``koton-kadikoy``, not ``koton-koton-kadikoy``.
"""

from __future__ import annotations

from django.utils.text import slugify

MAX_BASE_LENGTH = 56  # Store.code holds 64; room for a "-N" suffix when the code is taken
TURKISH = str.maketrans({"ı": "i", "İ": "i", "ş": "s", "Ş": "s", "ğ": "g", "Ğ": "g", "ç": "c", "Ç": "c",
                         "ö": "o", "Ö": "o", "ü": "u", "Ü": "u"})  # fmt: skip


def slug(text: str) -> str:
    """ASCII slug of ``text`` with Turkish letters transliterated, not dropped."""
    return slugify(text.translate(TURKISH))


def base_store_code(tenant_name: str, store_name: str) -> str:
    """``<brand>-<store>`` as a slug, the brand not repeated when the store name starts with it."""
    brand, store = slug(tenant_name), slug(store_name)
    if brand and (store == brand or store.startswith(brand + "-")):
        code = store
    else:
        code = "-".join(part for part in (brand, store) if part)
    return code[:MAX_BASE_LENGTH].strip("-") or "store"
