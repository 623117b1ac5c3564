"""Time-based one-time passwords (RFC 6238) with pyotp, and the QR code of the set-up URI with
segno, as SVG markup the page shows inline (no image request, no script). The `Totp` port of
services/portal_users.py.

Parameters are the ones every authenticator app reads by default: SHA-1, 6 digits, 30 s; a code
is accepted one step either side of now (clocks drift), and the service refuses a step already
used (no replay).
"""

from __future__ import annotations

import io
from datetime import datetime

import pyotp
import segno

ISSUER = "creditmend"
STEP = 30


class PyOtp:
    def new_secret(self) -> str:
        return pyotp.random_base32(32)  # 160 bits, RFC 4226's recommended length

    def matching_step(self, secret: str, code: str, at: datetime) -> int | None:
        code = "".join(code.split())
        if len(code) != 6 or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret, interval=STEP)
        now = int(at.timestamp()) // STEP
        for step in (now - 1, now, now + 1):
            if pyotp.utils.strings_equal(totp.at(step * STEP), code):
                return step
        return None

    def uri(self, secret: str, account: str) -> str:
        return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=account, issuer_name=ISSUER)

    def qr_svg(self, uri: str) -> str:
        out = io.BytesIO()
        segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True,
                                        title="TOTP", svgclass="qr", lineclass=None)  # fmt: skip
        return out.getvalue().decode("utf-8")
