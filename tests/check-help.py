#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the user's guide under help/, as yelp will show it.

1. help/meson.build installs every page of help/C and only those.
2. `yelp-check validate` accepts every English page, `yelp-check links`
   finds no broken link and `yelp-check orphans` no page unreachable from
   the index.
3. For every language of help/LINGUAS: LANG/LANG.po compiles, translates
   every message of the English pages (a page changed without its
   translation fails here), none fuzzy, and the translated pages that
   itstool builds from it validate too.
4. keyboard.page lists every key of the shortcuts window.

Usage: check-help.py SOURCE_ROOT
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
help_dir = os.path.join(root, "help")
failures = []

for tool in ("yelp-check", "itstool", "msgfmt", "msgcmp"):
    if shutil.which(tool) is None:
        print(f"FAIL: {tool} is missing (build-aux/install-deps installs it)")
        sys.exit(1)


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


pages = sorted(os.path.basename(p) for p in glob.glob(os.path.join(help_dir, "C", "*.page")))
if "index.page" not in pages:
    failures.append("help/C has no index.page")

with open(os.path.join(help_dir, "meson.build"), encoding="utf-8") as f:
    listed = sorted(set(re.findall(r"'([^']+\.page)'", f.read())))
for page in set(pages) - set(listed):
    failures.append(f"help/C/{page} is not installed: add it to help/meson.build")
for page in set(listed) - set(pages):
    failures.append(f"help/meson.build lists {page}, which is not in help/C")

english = [os.path.join(help_dir, "C", p) for p in pages]
for check in ("validate", "links", "orphans"):
    r = run(["yelp-check", check] + english)
    if r.returncode != 0 or r.stdout.strip():
        failures.append(f"yelp-check {check} (English):\n{(r.stdout + r.stderr).strip()}")

with open(os.path.join(help_dir, "LINGUAS"), encoding="utf-8") as f:
    languages = [w for line in f if not line.startswith("#") for w in line.split()]
if not languages:
    failures.append("help/LINGUAS lists no language")

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, "help.pot")
    r = run(["itstool", "-o", pot] + english)
    if r.returncode != 0:
        failures.append("itstool could not extract the messages:\n" + r.stderr)
    for lang in languages:
        po = os.path.join(help_dir, lang, lang + ".po")
        if not os.path.isfile(po):
            failures.append(f"help/{lang}/{lang}.po is missing")
            continue
        mo = os.path.join(tmp, lang + ".mo")
        r = run(["msgfmt", "--check", "--statistics", "-o", mo, po])
        stats = (r.stdout + r.stderr).strip()
        print(f"help {lang}: {stats}")
        if r.returncode != 0:
            failures.append(f"msgfmt --check help/{lang}/{lang}.po failed:\n{stats}")
            continue
        if "fuzzy" in stats or "untranslated" in stats:
            failures.append(f"help/{lang}/{lang}.po is incomplete: {stats}")
        if os.path.isfile(pot):
            r = run(["msgcmp", po, pot])
            if r.returncode != 0:
                failures.append(f"help/{lang}/{lang}.po does not translate every message of the pages:\n{r.stderr.strip()}")
        out = os.path.join(tmp, lang)
        os.mkdir(out)
        r = run(["itstool", "-m", mo, "-o", out + "/"] + english)
        if r.returncode != 0:
            failures.append(f"itstool could not build the {lang} pages:\n{r.stderr.strip()}")
            continue
        translated = [os.path.join(out, p) for p in pages]
        r = run(["yelp-check", "validate"] + translated)
        if r.returncode != 0 or r.stdout.strip():
            failures.append(f"yelp-check validate ({lang}):\n{(r.stdout + r.stderr).strip()}")

# The keys of the shortcuts window, as they read in keyboard.page.
KEY_NAMES = {"Control": "Ctrl", "Page_Down": "Page Down", "Page_Up": "Page Up",
             "Return": "Enter", "space": "Space", "Escape": "Esc", "question": "?",
             "plus": "+", "minus": "−", "equal": "=", "BackSpace": "BackSpace"}
with open(os.path.join(root, "resources", "gtk", "help-overlay.ui"), encoding="utf-8") as f:
    overlay = f.read()
keyboard_page = os.path.join(help_dir, "C", "keyboard.page")
if os.path.isfile(keyboard_page):
    with open(keyboard_page, encoding="utf-8") as f:
        keyboard = f.read()
    # Only the first of a shortcut's alternatives, and not the arrows'
    # nudge (described in words).
    for accel in re.findall(r'<property name="accelerator">([^<]+)</property>', overlay):
        first = accel.replace("&lt;", "<").replace("&gt;", ">").split()[0]
        if first in ("Left", "Right", "Up", "Down") or first.startswith("<Shift>Left"):
            continue
        mods = re.findall(r"<(\w+)>", first)
        key = re.sub(r"<\w+>", "", first)
        names = [KEY_NAMES.get(m, m) for m in mods] + [KEY_NAMES.get(key, key.upper() if len(key) == 1 else key)]
        if len(names) == 1:
            wanted = f"<key>{names[0]}</key>"
        else:
            wanted = "<keyseq>" + "".join(f"<key>{n}</key>" for n in names) + "</keyseq>"
        if wanted not in keyboard:
            failures.append(f"help/C/keyboard.page does not list {first} (as {wanted})")

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: {len(pages)} pages, languages: {' '.join(languages)}")
