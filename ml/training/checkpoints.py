"""A training run's checkpoints and its record: what a checkpoint holds (the weights, the optimizer, the
epochs done, the random generators, how the run was started and how long it has trained), writing and reading
one, and refusing to resume one with other settings or other pictures than it started with. Shared by image
training (:mod:`ml.training.train`) and stroke training (:mod:`ml.training.train_strokes`)."""

from __future__ import annotations

import contextlib
import json
import shlex
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ml.runtime.atomic_files import write_atomically
from ml.training.data.image_folders import folder_changes, folder_files
from ml.training.fine_tune import describe_start, starting_card


@contextlib.contextmanager
def resume_hint(command: str, checkpoint: Path, resumed_from: str = "") -> Iterator[None]:
    """Ctrl+C during a run: the interruption says how to continue it, from the checkpoint this run wrote,
    else from the one it resumed (``resumed_from``), else that nothing was kept (an earlier run's of the
    same name is no hint: this run would have replaced it)."""
    before = checkpoint.stat().st_mtime_ns if checkpoint.exists() else None
    try:
        yield
    except KeyboardInterrupt:
        if checkpoint.exists() and checkpoint.stat().st_mtime_ns != before:
            hint = f"'glyphpad-ml {command} --resume {checkpoint}' continues after the last finished epoch"
        elif resumed_from:
            hint = f"'glyphpad-ml {command} --resume {resumed_from}' continues as this run did"
        else:  # (it said "interrupted" alone, and a person looked for something to resume)
            hint = "before its first epoch ended: nothing was kept to resume"
        raise KeyboardInterrupt(hint) from None


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write a training checkpoint; a run killed while saving keeps its previous one."""
    write_atomically(path, lambda tmp: torch.save(state, tmp), make_folders=True)


CHECKPOINT_KEYS = ("model", "optimizer", "epoch", "history", "config")


def random_state(device: torch.device) -> dict[str, Any]:
    """The global torch generators' states, for a checkpoint: dropout draws from them, and a run resumed
    without them drew other masks than the run never stopped (its weights differed). On CUDA, the
    training device's alone (a resume may see other GPUs)."""
    state: dict[str, Any] = {"torch_rng": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda_rng"] = torch.cuda.get_rng_state(device)
    return state


def restore_random_state(checkpoint: dict[str, Any], device: torch.device) -> None:
    """The generators as :func:`random_state` kept them (a checkpoint of an earlier version has none; one
    of a CUDA run resumed on the CPU keeps the CPU's)."""
    if "torch_rng" in checkpoint:
        torch.set_rng_state(checkpoint["torch_rng"].cpu())
    if device.type == "cuda" and "cuda_rng" in checkpoint:
        torch.cuda.set_rng_state(checkpoint["cuda_rng"].cpu(), device)


@dataclass
class RunRecord:
    """How a run was started and how long it has trained, carried through its checkpoints: the card of a
    resumed run names the command that started it and the time of all its parts (it named the resume's,
    and a finished run resumed took "5.9 s")."""

    command: str = ""
    seconds_before: float = 0.0  # the training time of the runs this one continues
    started_at: float = field(default_factory=time.time)  # when this part started (time.time())
    # Set when this part finds every epoch done: it adds no training time (its outputs are written again).
    nothing_trained: bool = False
    # The weights a fine-tune started from, described when it started: a resume says it again from its
    # checkpoint (read again at the end, a starting model moved since failed the run after its last epoch).
    started_from: str = ""
    # The class prior chosen for those weights (glyphpad-ml prior), which the fine-tune's card keeps.
    started_prior: list[float] = field(default_factory=list)
    # ... and how those weights read a picture (their card's turned_views_degrees), which it keeps too.
    started_turn: float = 0.0
    # The --images folder's files when the run started (ml.training.data.image_folders.folder_files).
    images_files: list[str] = field(default_factory=list)

    def seconds(self) -> float:
        """The training time of the whole run so far, its earlier parts included."""
        if self.nothing_trained:
            return self.seconds_before
        return self.seconds_before + time.time() - self.started_at

    def checkpoint_fields(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "seconds": self.seconds(),
            "started_from": self.started_from,
            "started_prior": torch.tensor(self.started_prior, dtype=torch.float64),
            "started_turn": float(self.started_turn),
            "images_files": self.images_files,
        }


def run_command(command: str) -> str:
    """This process's command line as a card records it ("" when it is not ``glyphpad-ml COMMAND``)."""
    if len(sys.argv) > 1 and sys.argv[1] == command:
        return f"glyphpad-ml {command} " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    return ""


def run_record(command: str, resume: str, started_at: float, start_from: str = "", images: str = "") -> RunRecord:
    """A new run's record (a fine-tune's ``start_from`` described, the ``images`` folder's files
    listed), or the record of the run a checkpoint continues; this part started at ``started_at``."""
    if not resume:
        card = starting_card(start_from) if start_from else None
        return RunRecord(
            run_command(command),
            0.0,
            started_at,
            started_from=describe_start(card) if card else "",
            started_prior=list(card.class_prior_log) if card else [],
            started_turn=float(card.turned_views_degrees) if card else 0.0,
            images_files=folder_files(images) if images else [],
        )
    checkpoint = _read_checkpoint(resume, torch.device("cpu"))
    return RunRecord(
        str(checkpoint.get("command", "")),  # unknown for a checkpoint of an earlier version
        float(checkpoint.get("seconds", 0.0)),
        started_at,
        started_from=str(checkpoint.get("started_from", "")),
        started_prior=[float(v) for v in checkpoint.get("started_prior", torch.zeros(0)).tolist()],
        started_turn=float(checkpoint.get("started_turn", 0.0)),  # (0: a checkpoint of an earlier version)
        images_files=[str(f) for f in checkpoint.get("images_files", [])],
    )


def check_same_pictures(resume: str, images: str) -> None:
    """Refuse, before any data is read, to resume a run on other pictures than it started with: the
    split is drawn anew from the folder, and pictures trained on would be scored as unseen."""
    now = folder_files(images) if images else []
    check_same_files(resume, "images_files", now, f"pictures than --images {images or '(none)'}")


def check_same_files(resume: str, key: str, now: list[str], what: str) -> None:
    """Refuse to resume a run whose checkpoint's ``key`` lists other files ("name<TAB>size") than ``now``:
    a folder of one's own changed since the run started (``what``: "pictures than --images FOLDER")."""
    kept = [str(f) for f in _read_checkpoint(resume, torch.device("cpu")).get(key, [])]
    if kept != now:
        raise ValueError(
            f"{resume} was trained on other {what} holds now ({folder_changes(kept, now)}): "
            "start a new run (--name), or put the folder back as it was"
        )


def card_run_fields(command: str, record: RunRecord, resume: str) -> dict[str, Any]:
    """The card's "seconds", "command", what a fine-tune started from and, for a resumed run, "resumed_with"."""
    fields: dict[str, Any] = {"seconds": round(record.seconds(), 1), "command": record.command}
    if record.started_from:
        fields["started_from"] = record.started_from
    if resume:
        fields["resumed_with"] = run_command(command)
    return fields


def load_checkpoint(path: str | Path, device: torch.device, arch: str, labels: str) -> dict[str, Any]:
    """A checkpoint written by :func:`save_checkpoint` for ``arch`` on ``labels``; ValueError, in one
    line, for a file that is none (truncated, another kind of file) or is another model's."""
    checkpoint = _read_checkpoint(path, device)
    trained = checkpoint["config"]
    if trained.get("arch") != arch or trained.get("labels") != labels:
        raise ValueError(
            f"{path} was trained as {trained.get('arch')} on {trained.get('labels')}, not {arch} on {labels}"
        )
    return checkpoint


def checkpoint_settings(path: str | Path) -> dict[str, Any]:
    """The options the run that wrote checkpoint ``path`` was started with (ValueError, in one line, for a
    file that is no checkpoint)."""
    return dict(_read_checkpoint(path, torch.device("cpu"))["config"])


def check_resumable(path: str | Path, started: dict[str, Any], given: dict[str, Any], fixed: Sequence[str]) -> None:
    """Refuse, before any data is read, to resume a run with other ``fixed`` options than it was started
    with (``given``: this run's options): the model it builds, the data each epoch draws, and the epochs
    its one-cycle schedule was laid out over when it started."""
    changed = [name for name in fixed if name in started and name in given and started[name] != given[name]]
    if changed:

        def flags(values: dict[str, Any]) -> str:
            shown = {name: json.dumps(v) if isinstance(v := values[name], dict) else v for name in changed}
            return ", ".join(f"--{name.replace('_', '-')} {value}" for name, value in shown.items())

        raise ValueError(
            f"{path} was started with {flags(started)}, not {flags(given)}: leave them out to continue it "
            "as started (they shape its model, its data, its optimizer or its learning-rate schedule)"
        )


def _read_checkpoint(path: str | Path, device: torch.device) -> dict[str, Any]:
    try:
        checkpoint = torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise ValueError(f"{path}: no such checkpoint") from None
    except OSError as error:  # a folder, no permission: the system's reason
        raise ValueError(f"{path}: {error.strerror or error}") from None
    except Exception as error:  # torch raises RuntimeError, UnpicklingError, EOFError... for what is no checkpoint
        # Not torch's words: for a file that only holds more than tensors, they advise loading it with
        # weights_only=False, which runs whatever code it carries.
        raise ValueError(f"{path} is not a training checkpoint that glyphpad-ml wrote, or it is damaged") from error
    if (
        not isinstance(checkpoint, dict)
        or any(key not in checkpoint for key in CHECKPOINT_KEYS)
        or not isinstance(checkpoint["config"], dict)
    ):
        raise ValueError(f"{path} is not a training checkpoint (it lacks one of {', '.join(CHECKPOINT_KEYS)})")
    return dict(checkpoint)
