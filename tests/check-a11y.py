#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reads Backprop Studio as a screen reader does, through AT-SPI.

Starts the accessibility bus, runs the application on the apple example
with real key presses (xdotool, under the Xvfb `meson test` provides),
and checks from pyatspi that the canvas names the node the keyboard is
on ("apple, Input node: value 100 …"), and that the player's step is
told in words in the status bar and the canvas's description.

Usage: check-a11y.py BACKPROP-STUDIO SCHEMA-DIR
Exit 77 (skipped) only when the accessibility bus cannot start here.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


def skip(why):
    print(f"1..0 # SKIP {why}")
    sys.exit(SKIP)


# The accessibility library warns of objects that go while it reads
# them (GetItems on a cache not there yet): not ours, and not fatal here,
# as G_DEBUG=fatal-warnings from the test environment would make it. Set
# before GLib loads.
os.environ.pop("G_DEBUG", None)

try:
    import pyatspi
except ImportError:
    # A Python of its own (pyenv, a venv) lacks Debian's python3-pyatspi:
    # the system's has it.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("python3-pyatspi is not installed (build-aux/install-deps installs it)", file=sys.stderr)
    sys.exit(1)


def wait_for(what, check, timeout=15.0):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = check()
        except Exception as e:  # the tree changes under us
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def walk(acc, depth=0):
    if acc is None or depth > 40:
        return
    yield acc
    for i in range(acc.childCount):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def find_app(name):
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None and app.name == name:
            return app
    return None


def find(app, role, prefix):
    for acc in walk(app):
        try:
            if acc.getRoleName() == role and (acc.name or "").startswith(prefix):
                return acc
        except Exception:
            continue
    return None


def key(*names):
    for name in names:
        subprocess.run(["xdotool", "key", name], check=True)
        time.sleep(0.3)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    app_path, schema_dir = sys.argv[1], sys.argv[2]

    if not os.environ.get("DISPLAY"):
        skip("no display (meson test runs this under Xvfb)")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        skip("no session bus (meson test runs this inside dbus-run-session)")
    launcher_path = next((p for p in ("/usr/libexec/at-spi-bus-launcher",
                                      "/usr/lib/at-spi2-core/at-spi-bus-launcher")
                          if os.path.exists(p)), None)
    if launcher_path is None:
        skip("at-spi-bus-launcher is missing (Debian package at-spi2-core)")
    if shutil.which("xdotool") is None:
        print("xdotool is missing (build-aux/install-deps installs it)", file=sys.stderr)
        return 1

    home = tempfile.mkdtemp(prefix="bp-a11y-")
    env = dict(os.environ)
    env.pop("GTK_A11Y", None)          # the UI tests turn it off; here it is the point
    env.pop("NO_AT_BRIDGE", None)
    env.update({
        "HOME": home,
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_CACHE_HOME": os.path.join(home, "cache"),
        "GSETTINGS_BACKEND": "memory",
        "GSETTINGS_SCHEMA_DIR": schema_dir,
        "GSK_RENDERER": "cairo",
        "GDK_DEBUG": "gl-disable",
        "GDK_BACKEND": "x11",
        "LANGUAGE": "en",
        "LC_ALL": "C.UTF-8",
    })

    launcher = subprocess.Popen([launcher_path, "--launch-immediately"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = None
    try:
        try:
            wait_for("the accessibility registry",
                     lambda: pyatspi.Registry.getDesktop(0) is not None, timeout=10)
        except AssertionError as e:
            skip(f"the accessibility bus did not start: {e}")

        app = subprocess.Popen([app_path], env=env)
        studio = wait_for("the application on the accessibility bus",
                          lambda: find_app("backprop-studio"))
        canvas = wait_for("the canvas", lambda: find(studio, "image", "Graph canvas"))
        status = wait_for("the player's status", lambda: find(studio, "status bar", ""))
        print(f"# canvas: {canvas.name!r}")

        # At the end of the forward pass, the step in words.
        wait_for("the forward step in words",
                 lambda: "computes 220 from" in status.description)

        # F6 to the canvas, Tab to the first node, → to its consumer.
        win = wait_for("the window", lambda: subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "Apple"],
            capture_output=True, text=True).stdout.split())
        subprocess.run(["xdotool", "windowfocus", "--sync", win[0]], check=False)
        key("F6", "Tab")
        wait_for("the canvas naming the node apple",
                 lambda: canvas.name.startswith("Graph canvas: apple, Input node: value 100"))
        print(f"# canvas: {canvas.name!r}")
        key("Right")
        wait_for("the canvas naming apple_price with its inputs",
                 lambda: "apple_price, Multiply node: value 200" in canvas.name
                 and "inputs apple and apple count" in canvas.name
                 and "output to price" in canvas.name)
        print(f"# canvas: {canvas.name!r}")

        # Page Down: the first backward step, spoken by the status and
        # the canvas alike.
        key("Page_Down")
        sentence = "Backward step 1 of 5: price, Multiply node, receives the gradient 1"
        wait_for("the backward step in the status", lambda: status.description.startswith(sentence))
        wait_for("the backward step on the canvas", lambda: canvas.description.startswith(sentence))
        print(f"# status: {status.name!r}: {status.description!r}")
        # The keyboard focus follows the player to the step's node, its
        # gradient now known.
        wait_for("the step's node with its gradient on the canvas",
                 lambda: canvas.name.startswith("Graph canvas: price, Multiply node: value 220, gradient 1;"))
        print(f"# canvas: {canvas.name!r}")
        print("ok")
        return 0
    finally:
        if app is not None:
            app.terminate()
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()
        launcher.terminate()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
