import os
from playwright.sync_api import sync_playwright
ARGS = "--no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-quic --no-first-run --disable-sync".split()

def test_a(live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        ctx = b.new_context()
        p = ctx.new_page()
        r = p.goto(live_server.url + "/accounts/login/")
        print(live_server.url, r.status, p.content()[:2000])
        b.close()
