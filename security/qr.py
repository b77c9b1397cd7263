"""The enrolment QR code, drawn by the portal itself as SVG (no third-party service sees the secret)."""

from base64 import b32encode

import qrcode
import qrcode.image.svg


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def base32_secret(device) -> str:
    """The secret as an authenticator app asks for it, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
