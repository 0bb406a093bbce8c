"""Drive a headless Chromium through the DevTools protocol over a pipe.

``--remote-debugging-pipe`` makes Chromium read protocol messages from file
descriptor 3 and write its answers to descriptor 4, each message a JSON
object ended by a NUL byte. That needs no WebSocket client and no free TCP
port, so this module has no dependency beyond the standard library.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-pipe",
]


def find_or_install_chromium() -> tuple[str | None, str]:
    """Return ``(path, "")``, or ``(None, reason)`` when there is no browser.

    A missing browser is installed with Debian's ``apt-get`` when the tests
    run as root; set ``EXAMPLES_SKIP_BROWSER=1`` to skip the browser check.
    """
    if os.environ.get("EXAMPLES_SKIP_BROWSER"):
        return None, "EXAMPLES_SKIP_BROWSER is set"

    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path, ""

    if not shutil.which("apt-get"):
        return None, "chromium is not installed and there is no apt-get to install it"

    if os.geteuid() != 0:
        return None, "chromium is not installed and installing it needs root"

    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
    output = ""

    # The package lists may be missing or stale on a fresh machine: on a
    # failed install, update them once and try again.
    for step in (install, ["apt-get", "update", "-q"], install):
        try:
            result = subprocess.run(
                step,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=900,
            )
        except subprocess.TimeoutExpired:
            return None, f"{' '.join(step)!r} took more than 15 minutes"

        output = result.stdout + result.stderr

        if step is install and result.returncode == 0:
            break

    if path := shutil.which("chromium"):
        return path, ""

    last = output.strip().splitlines()[-1:] or ["no output"]
    return None, f"apt-get could not install chromium: {last[0]}"


class ProtocolError(RuntimeError):
    pass


class Chromium:
    """One headless browser process and a session on one page."""

    def __init__(self, executable: str, user_data_dir: Path, log: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Move the child's ends above 9 so that redirecting them onto 3 and 4
        # cannot overwrite one with the other.
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)
        command = [executable, *FLAGS, f"--user-data-dir={user_data_dir}"]

        with open(log, "wb") as log_file:
            # bash does the fd shuffling (dash only knows fds 0-9) instead
            # of preexec_fn, which is unsafe here: the test server is a
            # thread of this process.
            self._process = subprocess.Popen(
                ["bash", "-c", f'exec "$0" "$@" 3<&{child_r} 4>&{child_w}'] + command,
                pass_fds=(child_r, child_w),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
            )

        os.close(child_r)
        os.close(child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self._session: str | None = None

    # -- protocol -------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()

            if remaining <= 0:
                raise TimeoutError("no answer from chromium")

            ready, _, _ = select.select([self._from_browser], [], [], remaining)

            if ready:
                chunk = os.read(self._from_browser, 1 << 16)

                if not chunk:
                    raise ProtocolError("chromium closed the pipe")

                self._buffer += chunk

        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)  # type: ignore[no-any-return]

    def send(self, method: str, timeout: float = 15, **params: Any) -> Any:
        """Call ``method`` and return its result; events are kept in
        :attr:`events`."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method}
        message["params"] = params

        if self._session is not None and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self._session

        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout

        while True:
            answer = self._read_message(deadline)

            if answer.get("id") != self._next_id:
                self.events.append(answer)
                continue

            if "error" in answer:
                raise ProtocolError(f"{method}: {answer['error']}")

            return answer["result"]

    # -- page helpers ---------------------------------------------------

    def open_page(self) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send(
            "Target.attachToTarget", targetId=target, flatten=True
        )["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )

        if "exceptionDetails" in result:
            raise ProtocolError(f"{expression!r} threw {result['exceptionDetails']}")

        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10) -> Any:
        """Evaluate ``expression`` until it is truthy; return that value."""
        deadline = time.monotonic() + timeout

        while time.monotonic() < deadline:
            if value := self.evaluate(expression):
                return value

            time.sleep(0.05)

        raise TimeoutError(f"{expression!r} stayed false for {timeout} s")

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for(
            f"location.href === {json.dumps(url)} && document.readyState === 'complete'"
        )

    def click(self, selector: str) -> None:
        """Press and release the left mouse button over an element's
        centre, as a person would."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect();"
            " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
        )

        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box["x"],
                y=box["y"],
                button="left",
                clickCount=1,
            )

    def type_into(self, selector: str, text: str) -> None:
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", text=text)

    def page_errors(self) -> list[str]:
        """Uncaught exceptions and console errors seen so far."""
        errors = []

        for event in self.events:
            params = event.get("params", {})

            if event.get("method") == "Runtime.exceptionThrown":
                errors.append(str(params["exceptionDetails"]))
            elif (
                event.get("method") == "Runtime.consoleAPICalled"
                and params.get("type") == "error"
            ):
                errors.append(str(params.get("args")))

        return errors

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (ProtocolError, TimeoutError, OSError):
            pass

        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

        os.close(self._to_browser)
        os.close(self._from_browser)
