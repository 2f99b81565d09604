"""The dashboard's test accounts and a stored page full of script payloads."""
from __future__ import annotations

import re

PASSWORD = "mat-khau-dai-du"  # the web tests' accounts: quantri (admin), sotuphap (stp-hs)
PAYLOAD = (b"<html><head><meta charset='utf-8'><script>window.__xss = 1; alert(1)</script></head><body>"
           b"<h1>C\xc3\xb4ng khai ng\xc3\xa2n s\xc3\xa1ch</h1><img src=x onerror=\"window.__xss=2\">"
           b"<a href=\"javascript:window.__xss=3\">b\xe1\xba\xa5m</a><iframe src=\"http://example.com/\"></iframe>"
           b"<p>D\xe1\xbb\xb1 to\xc3\xa1n ng\xc3\xa2n s\xc3\xa1ch n\xc4\x83m 2026</p></body></html>")


def login(client, username="quantri", password=PASSWORD):
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf": csrf, "next": "/"})
