"""The page in a real browser: type, click the button, read the answer.

The app runs on Werkzeug's development server on 127.0.0.1 in a thread;
headless Chromium loads it and is driven through the DevTools protocol
(see ``chromium_cdp.py``). Skipped, with the reason printed at the end of
the run, where Chromium is missing and cannot be installed.
"""

from __future__ import annotations

from chromium_cdp import Chromium


def test_click_shows_the_counts(browser: Chromium, live_server: str):
    browser.navigate(live_server)
    browser.type_into("#text", "The cat sat. The cat ran!")
    browser.click("#count")

    words = browser.wait_for("document.querySelector('#words').textContent")
    assert words == "6"
    assert browser.evaluate("document.querySelector('#sentences').textContent") == "2"
    assert browser.evaluate("document.querySelector('#top').textContent") == (
        "the (2), cat (2), sat (1)"
    )
    # The script handled the click: no navigation, no error.
    assert browser.evaluate("location.href") == live_server
    assert browser.page_errors() == []


def test_error_from_the_endpoint_is_shown(browser: Chromium, live_server: str):
    browser.navigate(live_server)
    # Get past the textarea's maxlength the way a script could.
    browser.evaluate("document.querySelector('#text').value = 'a'.repeat(100001)")
    browser.click("#count")

    message = browser.wait_for(
        "!document.querySelector('#error').hidden"
        " && document.querySelector('#error').textContent"
    )
    assert message == "Texts are limited to 100,000 characters."
    assert browser.evaluate("document.querySelector('#words').textContent") == ""
