"""Writing a trained model: ``<name>.safetensors`` (tensors, no pickle), ``<name>.onnx`` (the graph
ONNX Runtime answers with on the CPU) and ``<name>.json`` (its card, with both files' sha256).

The ONNX graph is exported once, here, and checked against torch on a batch of inputs before the card
names it: a graph that disagrees is never written.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

from ml.runtime.atomic_files import write_atomically
from ml.runtime.cards import ModelCard, card_path_for, onnx_path_for, sha256_of, write_card
from ml.runtime.recognizer import INPUT_SHAPES, softmax

ONNX_OPSET = 17
# Largest difference of probabilities allowed between the ONNX graph and torch (float32 on both).
ONNX_TOLERANCE = 1e-4


class ExportError(RuntimeError):
    """The ONNX graph does not give what torch gives."""


def output_problems(name: str, out: str | Path, option: str = "--out") -> list[str]:
    """Why a run could not write ``<out>/<name>.*``, found before any training: a name that is a path
    (``../x`` wrote outside ``--out``, ``a/b`` into a folder no list looks in), an ``out`` that is a file
    or a folder one may not write in (said only after the whole run, with the bare OS error)."""
    problems = []
    if name and (name in (".", "..") or "/" in name or "\\" in name or name != name.strip()):
        problems.append(f"--name {name!r} must be a plain name, without folders: the files go in {option}")
    folder = Path(out)
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        problems.append(f"{option} {out}: {existing} is a file, not a folder")
    elif existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        problems.append(f"{option} {out}: {existing} cannot be written in")
    elif existing is not None and (reason := _cannot_make_in(existing)):
        problems.append(f"{option} {out}: {existing} cannot be written in ({reason})")
    return problems


def _cannot_make_in(folder: Path) -> str | None:
    """Why no file can be made in ``folder``, tried with one made and removed at once: the permission bits
    say yes to root, and nothing of a read-only disk or of /proc (a whole epoch was trained before the run
    found it could not keep it)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return error.strerror or str(error)
    return None


def input_spec(input_kind: str) -> tuple[str, tuple[int, ...]]:
    """The graph's input name ("image" or "strokes") and the shape of one input."""
    return input_kind, INPUT_SHAPES[input_kind]


def onnx_bytes(model: nn.Module, input_kind: str = "image") -> bytes:
    """The model (eval mode, float32, CPU) as an ONNX graph with a dynamic batch dimension."""
    input_name, shape = input_spec(input_kind)
    return graph_bytes(model, {input_name: torch.zeros(2, *shape)}, "logits")


def graph_bytes(model: nn.Module, examples: dict[str, torch.Tensor], output_name: str) -> bytes:
    """``model`` (eval mode, float32, CPU) as an ONNX graph of the named inputs (``examples``, in the order
    ``forward`` takes them) and one output, every one with a dynamic batch dimension."""
    model = model.float().cpu().eval().to(memory_format=torch.contiguous_format)  # type: ignore[call-overload]
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # The exporter warns that a recurrent layer's batch size may be fixed; check_onnx runs the graph
        # at batch 1 and at another size, so a fixed one would fail there instead.
        warnings.filterwarnings("ignore", message="Exporting a model to ONNX with a batch_size other than 1")
        # Tracing warns about shape checks inside torch's own recurrent layers; check_onnx tests the result.
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        # The TorchScript exporter is deprecated in favour of the torch.export one, which needs the
        # onnxscript package; this one exports every architecture here and its graph is checked.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        torch.onnx.export(
            model,
            tuple(examples.values()),
            buffer,  # type: ignore[arg-type]  # a file-like object is documented and works
            input_names=list(examples),
            output_names=[output_name],
            dynamic_axes={name: {0: "batch"} for name in [*examples, output_name]},
            opset_version=ONNX_OPSET,
            dynamo=False,
        )
    return buffer.getvalue()


def check_onnx(model: nn.Module, graph: bytes, samples: int = 16, seed: int = 0, input_kind: str = "image") -> float:
    """Largest probability difference between the graph (ONNX Runtime) and torch on random inputs."""
    import onnxruntime as ort

    rng = np.random.default_rng(seed)
    input_name, shape = input_spec(input_kind)
    if input_kind == "strokes":
        inputs = rng.normal(size=(samples, *shape)).astype(np.float32)
    else:
        inputs = rng.random((samples, *shape), dtype=np.float32) * (rng.random((samples, *shape)) < 0.3)
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    onnx_logits = np.concatenate(
        [session.run(None, {input_name: inputs[:1]})[0], session.run(None, {input_name: inputs[1:]})[0]]
    )
    with torch.inference_mode():
        torch_logits = model.float().cpu().eval()(torch.from_numpy(inputs)).numpy()

    return float(np.abs(softmax(onnx_logits) - softmax(torch_logits)).max())


def write_onnx(model: nn.Module, card: ModelCard, weights_path: Path) -> ModelCard:
    """Export, check and write ``<name>.onnx``; returns the card naming it (the caller writes the card)."""
    graph = onnx_bytes(model, card.input_kind)
    difference = check_onnx(model, graph, input_kind=card.input_kind)
    if difference > ONNX_TOLERANCE:
        raise ExportError(f"{card.name}: the ONNX graph differs from torch by {difference:.2e} in probability")
    path = onnx_path_for(weights_path)
    write_atomically(path, graph, make_folders=True)
    return replace(card, onnx_sha256=sha256_of(path), onnx_opset=ONNX_OPSET)


def graph_up_to_date(model: nn.Module, card: ModelCard, weights_path: Path) -> bool:
    """Whether the graph beside ``weights_path`` is the one its card names, of this opset, and gives these
    weights' answers: exporting again would only change its bytes (torch's export rounds differently from
    one machine to another), so an export in place keeps it."""
    path = onnx_path_for(weights_path)
    if not card.onnx_sha256 or card.onnx_opset != ONNX_OPSET or not path.is_file():
        return False
    graph = path.read_bytes()
    if hashlib.sha256(graph).hexdigest() != card.onnx_sha256:
        return False
    try:
        return check_onnx(model, graph, input_kind=card.input_kind) <= ONNX_TOLERANCE
    except Exception:  # a graph ONNX Runtime cannot run is not up to date
        return False


def save_weights(model: nn.Module, card: ModelCard, directory: str | Path, dtype: torch.dtype = torch.float32) -> Path:
    """Write ``<dir>/<card.name>.safetensors``, its ONNX graph and its card; returns the weights path."""
    directory = Path(directory)
    weights_path = directory / f"{card.name}.safetensors"
    state = {}
    for key, tensor in model.state_dict().items():
        tensor = tensor.detach().to("cpu")
        state[key] = tensor.to(dtype).contiguous() if tensor.is_floating_point() else tensor.contiguous()
    write_atomically(
        weights_path, lambda tmp: save_file(state, str(tmp), metadata={"arch": card.arch}), make_folders=True
    )
    card = replace(card, sha256=sha256_of(weights_path), weights_dtype=str(dtype).removeprefix("torch."))
    if dtype != torch.float32:  # the graph holds what the weights file holds
        model = model.to(dtype).float()
    card = write_onnx(model, card, weights_path)
    write_card(card, card_path_for(weights_path))
    return weights_path
