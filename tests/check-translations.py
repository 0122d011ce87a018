#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the translations, so that the Korean UI has no English left in it.

1. po/POTFILES.in lists every source and .ui file with a translatable
   string (_( N_( C_( ngettext, translatable="yes"), and only files that exist.
2. Every message xgettext extracts from those files is translated in every
   language of po/LINGUAS, none fuzzy (msgcmp), and each .po compiles
   (msgfmt --check).

Usage: check-translations.py SOURCE_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
root = os.path.abspath(root)
po_dir = os.path.join(root, "po")
failures = []

MARKERS = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|g_dngettext|ngettext)\s*\(|translatable="yes"')
SCANNED_DIRS = ("app", "engine", "ui", "resources")
SCANNED_EXT = (".c", ".h", ".ui")
# Merged with i18n.merge_file, so they must be listed too.
MERGED_FILES = ("resources/io.github.BackpropStudio.desktop.in",
                "resources/io.github.BackpropStudio.metainfo.xml.in")
LANG_KEY = re.compile(r'^[A-Za-z]+\[[^]]+\]\s*=', re.MULTILINE)


def potfiles():
    entries = []
    with open(os.path.join(po_dir, "POTFILES.in"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                entries.append(line)
    return entries


listed = potfiles()
for entry in listed:
    if not os.path.isfile(os.path.join(root, entry)):
        failures.append(f"POTFILES.in lists {entry}, which does not exist")

for d in SCANNED_DIRS:
    for dirpath, _dirs, files in os.walk(os.path.join(root, d)):
        for name in sorted(files):
            if not name.endswith(SCANNED_EXT):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if not MARKERS.search(text):
                continue
            if rel not in listed:
                failures.append(f"{rel} has translatable strings but is not in po/POTFILES.in")

for rel in MERGED_FILES:
    if rel not in listed:
        failures.append(f"{rel} is merged with translations but is not in po/POTFILES.in")
    path = os.path.join(root, rel)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        # Translations come from po/, never from hand-written keys.
        if LANG_KEY.search(text) or "xml:lang" in text:
            failures.append(f"{rel} has a hand-written translation; put it in po/ instead")

with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
    languages = [w for line in f for w in line.split() if not line.startswith("#")]
if not languages:
    failures.append("po/LINGUAS lists no language")

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, "backprop-studio.pot")
    existing = [e for e in listed if os.path.isfile(os.path.join(root, e))]
    # The same keywords as Meson's i18n 'glib' preset.
    args = ["xgettext", "--from-code=UTF-8", "--add-comments", "-o", pot,
            "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
            "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3",
            "--keyword=g_dpgettext2:2c,3",
            "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
            "--flag=NC_:2:pass-c-format", "--flag=g_dngettext:2:pass-c-format",
            "--flag=g_strdup_printf:1:c-format", "--flag=g_string_printf:2:c-format",
            "--flag=g_string_append_printf:2:c-format",
            "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format"]
    r = subprocess.run(args + existing, cwd=root, capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("xgettext failed:\n" + r.stderr)
    else:
        for lang in languages:
            po = os.path.join(po_dir, lang + ".po")
            if not os.path.isfile(po):
                failures.append(f"po/{lang}.po is missing")
                continue
            r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                               capture_output=True, text=True)
            stats = (r.stdout + r.stderr).strip()
            print(f"{lang}: {stats}")
            if r.returncode != 0:
                failures.append(f"msgfmt --check {lang}.po failed:\n{stats}")
            if "fuzzy" in stats or "untranslated" in stats:
                failures.append(f"{lang}.po is incomplete: {stats}")
            # Every extracted message must have a non-fuzzy translation.
            r = subprocess.run(["msgcmp", po, pot], capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(f"{lang}.po does not translate every message:\n{r.stderr.strip()}")

# The examples' titles and labels reach the .pot through a generated file.
r = subprocess.run([sys.executable, os.path.join(root, "build-aux", "extract-example-strings.py"),
                    root, "--check"], capture_output=True, text=True)
if r.returncode != 0:
    failures.append(r.stdout.strip() + r.stderr.strip())

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: {len(listed)} files, languages: {' '.join(languages)}")
