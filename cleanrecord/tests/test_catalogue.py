"""The English catalogue (locale/en/LC_MESSAGES/django.po) is up to date with the code, translated, and compiled.

A gettext string added, changed or removed without `make messages` fails here: makemessages runs on a copy of
the tree (so the committed catalogue is never touched) and its msgids are compared with the committed ones.
"""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# What `make messages` scans past (Makefile MESSAGES_IGNORE), and what a copy of the tree does not need.
SKIPPED = (".venv", "var", "node_modules", ".git", "locale", "__pycache__", ".mypy_cache", ".ruff_cache",
           ".pytest_cache", ".hypothesis", "*.pdf", "*.png", "*.ttc")
RUN_MAKE_MESSAGES = "run `make messages` and translate the new entries (empty msgstr) in " \
                    "locale/en/LC_MESSAGES/django.po"


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    translations: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return self.context, self.msgid, self.plural


def read_po(path: Path) -> tuple[list[Entry], int]:
    """The entries of a .po file (the header left out), and how many obsolete (#~) entries it holds."""
    entries: list[Entry] = []
    obsolete = 0
    entry = Entry()
    part: str | None = None
    started = False

    def finish() -> None:
        nonlocal entry, started, part
        if started and entry.msgid:
            entries.append(entry)
        entry, started, part = Entry(), False, None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            obsolete += line.startswith("#~ msgid ")
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, part, ast.literal_eval(line))
        else:
            keyword, _, text = line.partition(" ")
            part, started = keyword, True
            if keyword == "msgctxt":
                entry.context = ""
            elif keyword.startswith("msgstr"):
                entry.translations.append("")
            _append(entry, part, ast.literal_eval(text))
    finish()
    return entries, obsolete


def _append(entry: Entry, part: str | None, text: str) -> None:
    if part == "msgctxt":
        entry.context = (entry.context or "") + text
    elif part == "msgid":
        entry.msgid += text
    elif part == "msgid_plural":
        entry.plural = (entry.plural or "") + text
    elif part is not None and part.startswith("msgstr"):
        entry.translations[-1] += text


def fresh_catalogue(tmp_path: Path) -> Path:
    """makemessages, as `make messages` runs it, on a copy of the tree: the catalogue the code asks for now."""
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIPPED), symlinks=True)
    env = {**os.environ, "CLEANRECORD_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "cleanrecord.settings"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "--locale=en", "--no-location", "--no-obsolete",
                    "--ignore=.venv", "--ignore=var", "--ignore=node_modules"],
                   cwd=copy, env=env, check=True, capture_output=True, timeout=120)
    return copy / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed (make install adds it)")
def test_the_catalogue_holds_exactly_the_strings_the_code_translates(tmp_path):
    committed = {e.key for e in read_po(CATALOGUE)[0]}
    wanted = {e.key for e in read_po(fresh_catalogue(tmp_path))[0]}
    new = sorted(str(k[1]) for k in wanted - committed)
    gone = sorted(str(k[1]) for k in committed - wanted)
    assert not new and not gone, (
        f"the English catalogue is stale: {RUN_MAKE_MESSAGES}.\n"
        f"Not in the catalogue ({len(new)}): {new[:20]}\nNo longer in the code ({len(gone)}): {gone[:20]}")


def test_every_entry_is_translated_and_nothing_obsolete_is_kept():
    entries, obsolete = read_po(CATALOGUE)
    assert len(entries) > 500
    untranslated = [e.msgid for e in entries if not all(t.strip() for t in e.translations)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} entries without an English translation: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries (msgmerge's guesses) to check and unmark: {fuzzy[:20]}"
    assert not obsolete, f"{obsolete} obsolete (#~) entries: {RUN_MAKE_MESSAGES}"


def test_the_compiled_catalogue_is_the_committed_one():
    """Django reads the .mo: one compiled from an older .po would show old translations."""
    with COMPILED.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for entry in read_po(CATALOGUE)[0]:
        if entry.plural is None:
            message = entry.msgid if entry.context is None else f"{entry.context}\x04{entry.msgid}"
            got = compiled.pgettext(entry.context, entry.msgid) if entry.context else compiled.gettext(message)
            assert got == entry.translations[0], f"{entry.msgid!r}: the .mo says {got!r}: run `make messages`"
        else:
            got = compiled.ngettext(entry.msgid, entry.plural, 2)
            assert got == entry.translations[1], f"{entry.msgid!r}: the .mo says {got!r}: run `make messages`"
