"""The site's HTTPS certificate, checked as a browser checks it (a chain to a trusted CA, its
dates, the host name), on the address the crawl already connected to.

The crawl itself does not refuse a bad certificate: a government site with an expired
certificate is still audited for what it publishes. The result is a site-health finding.
"""
from __future__ import annotations

import socket
import ssl

# OpenSSL's verification codes (X509_V_ERR_*) for the cases an officer can act on.
_SELF_SIGNED = {18, 19}        # DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN
_EXPIRED = {10, 9}             # CERT_HAS_EXPIRED, CERT_NOT_YET_VALID
_WRONG_HOST = {62, 64}         # HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH


def check_certificate(host: str, address: str, port: int, ca_file: str = "",
                      timeout: float = 10.0) -> tuple[str, str]:
    """(status, detail): status is valid, self_signed, expired, wrong_host, untrusted or failed."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(ca_file)
    try:
        with socket.create_connection((address, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=host) as tls:
                return "valid", tls.version() or ""
    except ssl.SSLCertVerificationError as error:
        code, message = error.verify_code, error.verify_message or str(error)
        if code in _SELF_SIGNED:
            return "self_signed", message
        if code in _EXPIRED:
            return "expired", message
        if code in _WRONG_HOST:
            return "wrong_host", message
        return "untrusted", message
    except (OSError, ssl.SSLError) as error:
        return "failed", f"{type(error).__name__}: {error}"[:300]
