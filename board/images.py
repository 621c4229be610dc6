"""The board's logo: the upload is sniffed by Pillow (not trusted by its name or type), capped
in bytes and pixels, and re-encoded as a PNG no larger than the header needs, so what is served
is always an image Pillow wrote, without the upload's metadata."""

import hashlib
import io

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
# Larger images are refused before they are decoded (a small file can hold a huge image).
LOGO_MAX_SOURCE_PIXELS = 4096 * 4096
# Four times the header's 40 px, for sharp logos on high-density screens.
LOGO_MAX_SIZE = (640, 160)
ACCEPTED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def logo_clean(upload) -> tuple[bytes, int, int, str]:
    """Return (png bytes, width, height, file name) or raise ValidationError with a message for
    the field."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            "The logo is %(size)s MB; upload one of 2 MB at most.",
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise UnidentifiedImageError(image.format)
            width, height = image.size
            if width * height > LOGO_MAX_SOURCE_PIXELS:
                raise ValidationError(
                    "The logo is %(width)s by %(height)s pixels; use one of 4096 by 4096 at most.",
                    params={"width": width, "height": height},
                    code="too_many_pixels",
                )
            image.load()
            image = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "That file is not an image we can use: upload a PNG, JPEG, GIF or WebP.",
            code="not_an_image",
        ) from None
    image.thumbnail(LOGO_MAX_SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    name = f"board/logo-{hashlib.sha256(data).hexdigest()[:16]}.png"
    return data, image.width, image.height, name
