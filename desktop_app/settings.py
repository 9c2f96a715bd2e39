"""Preferences kept across runs (QSettings), as one typed dataclass plus window state."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

from PySide6.QtCore import QByteArray, QLockFile, QSettings

from desktop_app.themes import TEXT_SIZES
from ml.runtime.cards import DEFAULT_MODEL
from ml.runtime.devices import DEVICE_CHOICES
from ml.runtime.labels import TOP_K
from ml.runtime.pen import DEFAULT_PEN_PX, PEN_WIDTHS_PX

ORGANIZATION = "GlyphPad"
APPLICATION = "GlyphPad"
THEMES = ("system", "light", "dark")
TOP_K_CHOICES = (1, 3, 5, 10)  # answers shown, as View -> Top-k offers them

# Where the settings file keeps the window's state, apart from the preferences (declared here, once).
COLLECTED_TEXT_KEY = "text/collected"  # text mode's text box
PAD_KEY = "text/pad"  # what was written on the pad (a line not added, a drawing), as strokes (JSON)
PAD_NOTES_KEY = "text/pad_notes"  # the person's corrections to the pad's line, by its strokes' positions (JSON)
PAD_FILE_KEY = "text/pad_file"  # the stroke file the pad's first strokes came from: its name, their count (JSON)
TEXT_MODE_KEY = "window/text_mode"  # whether the window was left in text mode
TAB_KEY = "window/tab"  # the side tab in view (Explain, Compare, Batch)
SCREEN_KEY = "window/screen"  # the screen the window's size and columns were saved on (screen_signature)
RECENT_FILES_KEY = "files/recent"  # File -> Open Recent, a JSON list
# The three columns' widths, saved (save_window_state). Not the key earlier versions saved them under
# ("splitter"): those kept the answers' column at its minimum however wide the window, and would bring it back.
COLUMNS_STATE = "columns"
# The pad's, the answers' and the side tabs' shares of the width as the person left them (JSON): what a
# window widened again goes back to (a narrow window's squeezing, saved as the columns, is not kept).
COLUMN_SHARES_KEY = "window/column_shares"
GEOMETRY_STATE = "geometry"  # the window's size and place (save_window_state)
# Text mode's text box's height as the person dragged it, a share of the window's height ("": its own choice).
TEXT_BOX_SHARE_KEY = "window/text_box_share"
LEAST_TEXT_BOX_SHARE, MOST_TEXT_BOX_SHARE = 0.05, 0.7  # a share outside these is a damaged setting


def text_box_share(value: object) -> float | None:
    """The text box's share of the window's height kept in the settings; None when there is none, or it is
    not a number between the least and the most a drag can leave (a damaged setting)."""
    try:
        share = float(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None
    except ValueError:
        return None
    return share if share is not None and LEAST_TEXT_BOX_SHARE <= share <= MOST_TEXT_BOX_SHARE else None


@dataclass
class Preferences:
    model: str = DEFAULT_MODEL
    device: str = "auto"  # auto, cpu or cuda
    pen_width: int = DEFAULT_PEN_PX  # canvas pixels at 100% zoom
    top_k: int = TOP_K
    theme: str = "system"
    last_folder: str = ""
    batch_lines: bool = False  # the Batch tab reads each file as a line of writing
    compare_left_out: str = "[]"  # the models unticked in Compare, a JSON list (a model's name may hold a comma)
    text_size: int = 100  # percent of the system's text size (View -> Zoom In, Zoom Out)
    english_words: bool = True  # text mode reads a word that reads as English with how English is spelled
    examples_folder: str = ""  # File -> Keep as Example files drawings here ("": the documents' default)
    practice_only: str = ""  # the characters Practice asks for, as typed ("": any the model reads)


def _coerce(value: object, default: object) -> object:
    """QSettings returns strings from INI files: convert back to the field's type."""
    if isinstance(value, list):  # an INI value with commas and no quotes (edited by hand) is read as a list
        value = ",".join(map(str, value))  # (a folder's name, a model's: no space after a comma, unlike prose)
    value = settings_text(value) if isinstance(value, QByteArray) else value
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
    if isinstance(default, int):
        try:
            return int(str(value))
        except ValueError:
            return default
    return str(value)


def settings_text(value: object) -> str:
    """A text kept in the settings, as it was written: an INI value with commas and no quotes (edited by hand,
    synced by another tool) is read back as a list of its parts, which the text box and the pad took for no
    text at all, and then wrote back empty (a fuzzing trial's lost notes)."""
    if isinstance(value, list):  # (Qt took the spaces after its commas away: as most text has them)
        return ", ".join(map(str, value))
    if isinstance(value, QByteArray):  # a value written as @ByteArray(...)
        return bytes(value.data()).decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def string_list(value: object) -> list[str]:
    """The strings of a JSON list kept in the settings (lists are kept as JSON: an INI file reads a value
    with commas back as a list of its own); [] when the value is damaged."""
    try:
        items = json.loads(settings_text(value))
    except (ValueError, RecursionError):
        return []
    return [item for item in items if isinstance(item, str)] if isinstance(items, list) else []


def load_preferences(settings: QSettings) -> Preferences:
    preferences = Preferences()
    settings.beginGroup("preferences")
    for f in fields(Preferences):
        default = getattr(preferences, f.name)
        if settings.contains(f.name):
            setattr(preferences, f.name, _coerce(settings.value(f.name), default))
    settings.endGroup()
    # The nearest the menu offers (a 7 written by hand or by an admin's defaults showed 7 answers, no entry
    # of the menu checked).
    preferences.top_k = min(TOP_K_CHOICES, key=lambda k: (abs(k - preferences.top_k), k))
    preferences.pen_width = min(max(preferences.pen_width, PEN_WIDTHS_PX[0]), PEN_WIDTHS_PX[1])
    preferences.text_size = min(max(preferences.text_size, TEXT_SIZES[0]), TEXT_SIZES[-1])
    if preferences.theme not in THEMES:
        preferences.theme = "system"
    if preferences.device not in DEVICE_CHOICES:
        preferences.device = "auto"
    if not preferences.model.strip():  # an empty name (a hand edit, an admin's defaults) chooses nothing
        preferences.model = DEFAULT_MODEL
    return preferences


def save_preferences(settings: QSettings, preferences: Preferences, since: Preferences | None = None) -> None:
    """Write the preferences; with ``since``, only those that differ from it (a second copy of the app
    writing its choice does not write back the first copy's others as they were when it started)."""
    settings.beginGroup("preferences")
    for f in fields(Preferences):
        if since is None or getattr(preferences, f.name) != getattr(since, f.name):
            settings.setValue(f.name, getattr(preferences, f.name))
    settings.endGroup()


def column_shares(value: object) -> tuple[float, float, float] | None:
    """Three shares of the width, from the settings or from the columns' widths; None when they are not
    three positive numbers (a damaged setting, columns not laid out yet)."""
    try:
        widths = json.loads(value) if isinstance(value, str) else value
    except (ValueError, RecursionError):
        return None
    if not (isinstance(widths, list | tuple) and len(widths) == 3):
        return None
    if not all(isinstance(w, int | float) and not isinstance(w, bool) and 0 < w < 1e9 for w in widths):
        return None
    total = float(sum(widths))
    return (widths[0] / total, widths[1] / total, widths[2] / total)


def save_window_state(settings: QSettings, name: str, state: QByteArray) -> None:
    settings.setValue(f"window/{name}", state)


def window_state(settings: QSettings, name: str) -> QByteArray | None:
    value = settings.value(f"window/{name}")
    return value if isinstance(value, QByteArray) else None


LOCK_STALE_AFTER_MS = 30 * 60 * 1000
LOCK_RENEWED_EVERY_MS = 5 * 60 * 1000


@dataclass
class SettingsHold:
    """Whether this window keeps the person's writing (the pad, the text box) in the settings file, and if
    not, why. ``lock`` is held while the window lives: a second copy for the same person sees it."""

    lock: QLockFile | None
    not_kept: str  # "" when the writing is kept
    another_copy: bool = False
    lock_path: Path | None = None

    def keep_fresh(self) -> None:
        """Renew the lock's time: a copy open for hours keeps it (it would go stale, and a second copy
        would take the writing)."""
        if self.lock is not None and self.lock.isLocked() and self.lock_path is not None:
            with contextlib.suppress(OSError):
                os.utime(self.lock_path)


def hold_settings(settings: QSettings) -> SettingsHold:
    """Take the settings file for this window. Two copies for one person each wrote their text box on
    closing, and the one closed last wiped the other's; a settings file that cannot be written lost the
    text at the restart without a word. Only the first copy keeps the writing; either way it is said."""
    path = Path(settings.fileName())
    in_registry = settings.fileName().startswith("\\HKEY")  # Windows keeps its settings in the registry
    lock_path = Path(tempfile.gettempdir()) / "GlyphPad.open" if in_registry else Path(f"{path}.open")
    with contextlib.suppress(OSError):  # (said below: the lock cannot be made there either)
        lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(lock_path))
    # A crashed copy's lock is seen by its PID on this machine; one left on another (a home shared over the
    # network) goes stale when not renewed for this long (the window renews its own: keep_fresh).
    lock.setStaleLockTime(LOCK_STALE_AFTER_MS)
    if not lock.tryLock(0):
        if lock.error() == QLockFile.LockError.LockFailedError:
            why = "another GlyphPad window is open, and the writing of that one is kept"
            return SettingsHold(None, why, another_copy=True)
        return SettingsHold(None, f"GlyphPad's settings file {path} cannot be written (a read-only folder?)")
    if not settings.isWritable():
        why = f"GlyphPad's settings file {path} cannot be written (a read-only file?)"
        return SettingsHold(lock, why, lock_path=lock_path)
    if not in_registry:
        keep_private(path, make=settings.format() == QSettings.Format.IniFormat or sys.platform != "darwin")
    return SettingsHold(lock, "", lock_path=lock_path)


def keep_private(path: Path, make: bool = False) -> None:
    """The settings file readable by its owner alone (it holds the text box, the drawing, recent files'
    paths): on a shared machine other people's accounts could read it. ``make``: an empty one is made
    first, private from its first write (an INI file; macOS's property lists are left to be made by the
    system). Quietly left as it is where that cannot be done (not the owner, no such permissions)."""
    try:
        if make and not path.exists():
            path.touch()
        if os.name == "posix" and path.exists():
            path.chmod(0o600)
    except OSError:
        pass
