"""QR codes drawn on the server as SVG: no external service ever sees a TOTP secret."""

from __future__ import annotations

import base64
import io

import qrcode
from qrcode.image.svg import SvgPathImage


def svg_data_uri(text: str) -> str:
    """A `data:` URI of an SVG QR code for `text`, ready for an <img src>."""
    image = qrcode.make(text, image_factory=SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
