#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the Flatpak manifest, which cannot be built here without a network.

1. io.github.BackpropStudio.json parses, names the app id, the command,
   runtime org.gnome.Platform 43 and its SDK, and ends with this project
   built by meson from its own directory.
2. Every other module downloads an archive pinned by a sha256.
3. Every dependency the meson build asks for (dependency(...) and
   find_library(...) in every meson.build) is either in the GNOME 43
   runtime or built by a module of the manifest: a new dependency fails
   here until the manifest builds it (or it is added to RUNTIME below
   because the runtime has it).

Usage: check-flatpak.py SOURCE_ROOT
"""
import json
import os
import re
import sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
APP_ID = "io.github.BackpropStudio"

# What org.gnome.Platform//43 (GNOME 43, freedesktop-sdk 22.08) provides,
# by the names the meson build uses: GLib 2.74, GTK 4.8, libadwaita 1.2,
# json-glib 1.6, Cairo 1.16, Pango 1.50, and the C library.
RUNTIME = {
    "glib-2.0", "gobject-2.0", "gio-2.0", "gmodule-2.0", "gthread-2.0",
    "json-glib-1.0", "cairo", "pango", "pangocairo", "gtk4",
    "libadwaita-1", "libxml-2.0", "zlib", "m", "dl", "pthread",
}
# Dependencies a module of the manifest builds, by module name.
MODULES = {
    "libgvc": "graphviz",
    "libcgraph": "graphviz",
    "double-conversion": "double-conversion",
    "fmt": "fmt",
    "openblas": "openblas",
}

failures = []
path = os.path.join(root, APP_ID + ".json")
try:
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
except (OSError, ValueError) as e:
    print(f"FAIL: {APP_ID}.json cannot be read: {e}")
    sys.exit(1)

expected = {
    "app-id": APP_ID,
    "runtime": "org.gnome.Platform",
    "runtime-version": "43",
    "sdk": "org.gnome.Sdk",
    "command": "backprop-studio",
}
for key, value in expected.items():
    if manifest.get(key) != value:
        failures.append(f"{key} is {manifest.get(key)!r}, not {value!r}")

modules = manifest.get("modules")
if not isinstance(modules, list) or not modules:
    failures.append("the manifest has no modules")
    modules = []
names = [m.get("name") for m in modules if isinstance(m, dict)]
if len(names) != len(modules):
    failures.append("every module must be an object (no included files)")
if len(set(names)) != len(names):
    failures.append(f"module names repeat: {names}")

if modules:
    app = modules[-1]
    if app.get("name") != "backprop-studio" or app.get("buildsystem") != "meson":
        failures.append("the last module must be backprop-studio, built with meson")
    if {"type": "dir", "path": "."} not in app.get("sources", []):
        failures.append("backprop-studio must be built from this directory (a dir source, path '.')")

for module in modules[:-1]:
    sources = module.get("sources", [])
    archives = [s for s in sources if s.get("type") == "archive"]
    if not archives:
        failures.append(f"module {module.get('name')} has no archive source")
    for s in archives:
        url = s.get("url", "")
        if not url.startswith("https://"):
            failures.append(f"module {module.get('name')}: {url!r} is not an https URL")
        if not re.fullmatch(r"[0-9a-f]{64}", s.get("sha256", "")):
            failures.append(f"module {module.get('name')}: {url} has no sha256")

# The dependencies the build asks for.
DEPENDENCY = re.compile(r"\bdependency\s*\(\s*'([^']+)'")
LIBRARY = re.compile(r"\bfind_library\s*\(\s*'([^']+)'")
wanted = {}
for dirpath, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith(".") and not d.startswith("build")
               and d not in ("subprojects", ".flatpak-builder")]
    if "meson.build" in files:
        p = os.path.join(dirpath, "meson.build")
        with open(p, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"#.*", "", text)
        for name in DEPENDENCY.findall(text) + LIBRARY.findall(text):
            wanted.setdefault(name, os.path.relpath(p, root))

if "libgvc" not in wanted or "gtk4" not in wanted:
    failures.append(f"found too few dependencies in the meson files ({sorted(wanted)}): is the source root right?")

for name, where in sorted(wanted.items()):
    if name in RUNTIME:
        continue
    module = MODULES.get(name, name)
    if module not in names:
        failures.append(f"{where} needs {name!r}, which org.gnome.Platform 43 lacks and no "
                        f"module of {APP_ID}.json builds (add a module, or list it in "
                        f"tests/check-flatpak.py if the runtime has it)")

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: {len(wanted)} dependencies ({', '.join(sorted(wanted))}); modules: {', '.join(names)}")
