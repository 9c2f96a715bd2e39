"""The ``glyphpad-ml`` commands other than train, bench and tune."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ml.devices import DEVICE_CHOICES, DeviceError


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _fail(command: str, message: str) -> int:
    print(f"glyphpad-ml {command}: error: {message}", file=sys.stderr)
    return 2


def models(argv: list[str]) -> int:
    from ml.inference import bundled_cards, weights_dir
    from ml.weights import WeightsError

    parser = argparse.ArgumentParser(prog="glyphpad-ml models", description="List the bundled models.")
    parser.add_argument("--json", action="store_true", help="a JSON list, one object per model")
    parser.add_argument("--dir", type=Path, default=None, help="weights folder (default: the bundled weights/)")
    args = parser.parse_args(argv)
    entries: list[dict[str, Any]] = []
    for weights_path, card in bundled_cards(args.dir):
        if isinstance(card, WeightsError):
            entries.append({"name": weights_path.stem, "available": False, "error": str(card)})
            continue
        entries.append(
            {
                "name": card.name,
                "arch": card.arch,
                "label_set": card.label_set,
                "labels": card.labels,
                "params": card.params,
                "metrics": card.metrics,
                "description": card.description,
                "available": weights_path.exists(),
                **({} if weights_path.exists() else {"error": f"{weights_path.name} is missing"}),
            }
        )
    if args.json:
        print(json.dumps(_json_safe(entries)))
        return 0
    if not entries:
        print(f"no models in {args.dir or weights_dir()}")
    for entry in entries:
        if "arch" not in entry:
            print(f"{entry['name']:28s} unavailable: {entry['error']}")
            continue
        accuracy = entry["metrics"].get("accuracy")
        shown = f"{100 * accuracy:.2f}%" if isinstance(accuracy, float) else "n/a"
        print(
            f"{entry['name']:28s} {entry['arch']:16s} {entry['label_set']:11s} {entry['params']:>10,d} params  "
            f"test accuracy {shown}"
        )
    return 0


def archs(argv: list[str]) -> int:
    from ml.models import get_arch, list_models

    argparse.ArgumentParser(prog="glyphpad-ml archs", description="List the architectures.").parse_args(argv)
    for name in list_models():
        info = get_arch(name)
        print(f"{name:16s} {info.family:7s} {info.description}")
    return 0


def predict(argv: list[str]) -> int:
    from tqdm import tqdm

    from ml.data.image_folders import find_images
    from ml.inference import Prediction, Recognizer, default_model_name
    from ml.weights import WeightsError

    parser = argparse.ArgumentParser(prog="glyphpad-ml predict", description="Recognize images.")
    parser.add_argument("paths", nargs="+", type=Path, help="image files or folders (searched recursively)")
    parser.add_argument(
        "--model",
        default=None,
        help="bundled model name or .safetensors path (default: emnist36_cnn, "
        "or the first bundled model while emnist36_cnn is not bundled)",
    )
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    if args.top_k < 1:
        return _fail("predict", "--top-k must be at least 1")
    try:
        recognizer = Recognizer.load(args.model or default_model_name(), device=args.device)
    except (WeightsError, DeviceError) as error:
        return _fail("predict", str(error))
    files = find_images(args.paths)
    chunk = 64
    with tqdm(total=len(files), desc="predict", unit="img", file=sys.stderr, disable=None) as bar:
        for start in range(0, len(files), chunk):
            batch = files[start : start + chunk]
            for path, result in zip(batch, recognizer.predict_many(batch, top_k=args.top_k), strict=True):
                if isinstance(result, Prediction):
                    record: dict[str, Any] = {
                        "path": str(path),
                        "top": [{"label": s.label, "prob": round(s.prob, 5)} for s in result.top],
                    }
                    if result.notes:
                        record["notes"] = list(result.notes)
                    line = (
                        json.dumps(record)
                        if args.json
                        else f"{path}: " + ", ".join(f"{s.label} {100 * s.prob:.1f}%" for s in result.top)
                    )
                else:
                    reason = ("blank: " if result.blank else "") + result.reason
                    line = json.dumps({"path": str(path), "error": reason}) if args.json else f"{path}: error: {reason}"
                bar.clear()
                print(line, flush=True)
            bar.update(len(batch))
    return 0


def _evaluate_folder(recognizer: Any, folder: Path) -> tuple[np.ndarray, np.ndarray, int]:
    from tqdm import tqdm

    from ml.data.image_folders import read_image_folder
    from ml.labels import get_label_set
    from ml.preprocess import BlankImageError, preprocess

    label_set = get_label_set(recognizer.card.label_set)
    inputs, targets, skipped = [], [], 0
    for item in tqdm(read_image_folder(folder), desc="read", unit="img", file=sys.stderr, disable=None):
        target = label_set.class_of(item.char)
        if target is None:
            skipped += 1
            continue
        try:
            inputs.append(preprocess(item.path).input)
        except (BlankImageError, ValueError):
            inputs.append(np.zeros((28, 28), dtype=np.float32))  # counted, and counted wrong
        targets.append(target)
    return np.stack(inputs), np.array(targets, dtype=np.int64), skipped


def evaluate(argv: list[str]) -> int:
    from ml.data.emnist import default_data_dir
    from ml.data.prepared import prepare_pool
    from ml.devices import resolve_device
    from ml.evaluate_core import evaluate_arrays, summary
    from ml.inference import resolve_model_path
    from ml.labels import get_label_set
    from ml.weights import WeightsError, load_weights, read_card, write_card

    parser = argparse.ArgumentParser(prog="glyphpad-ml evaluate", description="Evaluate a model.")
    parser.add_argument("--model", required=True, help="bundled model name or .safetensors path")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--emnist", type=Path, default=None, help="EMNIST folder (default: the pool)")
    source.add_argument("--images", type=Path, default=None, help="image folder, one sub-folder per class")
    parser.add_argument(
        "--split",
        default="test",
        choices=["test", "val", "train", "all"],
        help="split of the seeded pool split; 'all' = every sample (independent data)",
    )
    parser.add_argument("--split-seed", type=int, default=None, help="default: the model card's split seed")
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--report", type=Path, default=None, help="write PNG plots and report.json here")
    parser.add_argument("--update-card", action="store_true", help="store these metrics in the model card")
    args = parser.parse_args(argv)

    try:
        weights_path = resolve_model_path(args.model)
        device = resolve_device(args.device)
        model, card = load_weights(weights_path, device=device)
    except (WeightsError, DeviceError) as error:
        return _fail("evaluate", str(error))
    label_set = get_label_set(card.label_set)
    samples: np.ndarray | None = None
    skipped = 0
    if args.images is not None:
        from ml.inference import Recognizer

        try:
            inputs, targets, skipped = _evaluate_folder(Recognizer(model, card, device), args.images)
        except (FileNotFoundError, ValueError) as error:
            return _fail("evaluate", str(error))
        source_name = f"image folder {args.images}"
    else:
        data_dir = args.emnist or default_data_dir()
        seed = args.split_seed
        if seed is None:
            seed = int(card.training.get("config", {}).get("split_seed", 0)) or None
        try:
            prepared = prepare_pool(data_dir, **({"seed": seed} if seed is not None else {}))
        except FileNotFoundError as error:
            return _fail("evaluate", str(error))
        selected = prepared.select(label_set, args.split)
        inputs, targets = selected.images, selected.targets
        raw_targets = prepared.pool.targets_for(label_set)
        raw_index = np.arange(len(raw_targets)) if args.split == "all" else prepared.split.get(args.split)
        samples = prepared.pool.images[raw_index[raw_targets[raw_index] >= 0]]
        source_name = f"EMNIST {data_dir} ({args.split})"
    if len(targets) == 0:
        return _fail("evaluate", f"no samples of label set {card.label_set} in {source_name}")
    metrics, probabilities = evaluate_arrays(model, inputs, targets, list(card.labels), device)
    result = {"model": card.name, "data": source_name, **summary(metrics)}
    if skipped:
        result["skipped_not_in_label_set"] = skipped
    if args.report is not None:
        from ml.report import write_report

        history = None
        metrics_json = weights_path.with_suffix(".metrics.json")
        if metrics_json.exists():
            history = json.loads(metrics_json.read_text()).get("history")
        written = write_report(
            args.report,
            metrics,
            probabilities,
            targets,
            list(card.labels),
            inputs,
            history=history,
            raw_samples=samples,
            title=card.name,
        )
        result["report"] = [str(p) for p in written]
    if args.update_card:
        from dataclasses import replace

        new_metrics = {
            "split": args.split,
            "data": source_name,
            **summary(metrics),
            "per_class_recall": {c: v["recall"] for c, v in metrics["per_class"].items()},
        }
        from ml.cpu_plan import spec_of

        updated = replace(card, metrics=new_metrics, cpu_plan=spec_of(model) or [])
        write_card(updated, weights_path.with_suffix(".json"))
        read_card(weights_path.with_suffix(".json"))
    if args.json:
        print(json.dumps(_json_safe(result)))
    else:
        for key, value in result.items():
            print(f"{key:24s} {value:.4f}" if isinstance(value, float) else f"{key:24s} {value}")
        print(f"{'most confused':24s}", end=" ")
        from ml.metrics import most_confused_pairs

        pairs = most_confused_pairs(np.array(metrics["confusion"]), list(card.labels), top=5)
        print(", ".join(f"{p['true']}->{p['predicted']} ({p['count']})" for p in pairs))
    return 0


def csv_to_png(argv: list[str]) -> int:
    from ml.data.csv_files import LAYOUTS, read_csv, write_class_folders

    parser = argparse.ArgumentParser(prog="glyphpad-ml csv-to-png", description="CSV dataset -> class folders of PNGs.")
    parser.add_argument("csv", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--layout", default="auto", choices=LAYOUTS)
    parser.add_argument("--mapping", type=Path, default=None, help="EMNIST mapping file (emnist layout)")
    parser.add_argument(
        "--transposed",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="images stored transposed (default: only for the emnist layout)",
    )
    args = parser.parse_args(argv)
    try:
        dataset = read_csv(args.csv, layout=args.layout, mapping=args.mapping, transposed=args.transposed)
    except (OSError, ValueError) as error:
        return _fail("csv-to-png", str(error))
    count = write_class_folders(dataset, args.out)
    print(f"wrote {count} images in {len(set(dataset.chars.tolist()))} class folders under {args.out}")
    return 0


RESULTS_START = "<!-- results:start (glyphpad-ml results --readme README.md) -->"
RESULTS_END = "<!-- results:end -->"


def results_table(directory: Path | None = None) -> str:
    from ml.inference import bundled_cards
    from ml.weights import WeightsError

    lines = [
        "| model | arch | labels | params | test accuracy | balanced accuracy | top-3 | macro F1 | trained on |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for _, card in bundled_cards(directory):
        if isinstance(card, WeightsError):
            continue
        m = card.metrics

        def pct(key: str, m: dict[str, Any] = m) -> str:
            return f"{100 * m[key]:.2f}%" if isinstance(m.get(key), float) else "n/a"

        trained = f"{card.training.get('device', '?')}, {card.training.get('seconds', 0) / 60:.1f} min"
        lines.append(
            f"| `{card.name}` | {card.arch} | {card.label_set} | {card.params:,} | {pct('accuracy')} | "
            f"{pct('balanced_accuracy')} | {pct('top3')} | {pct('macro_f1')} | {trained} |"
        )
    return "\n".join(lines)


def results(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="glyphpad-ml results", description="Markdown results table from the cards.")
    parser.add_argument("--dir", type=Path, default=None, help="weights folder (default: the bundled weights/)")
    parser.add_argument("--readme", type=Path, default=None, help="rewrite the table between the results markers")
    args = parser.parse_args(argv)
    table = results_table(args.dir)
    if args.readme is None:
        print(table)
        return 0
    try:
        replace_between_markers(args.readme, RESULTS_START, RESULTS_END, table)
    except ValueError as error:
        return _fail("results", str(error))
    print(f"updated the results table in {args.readme}")
    return 0


def replace_between_markers(path: Path, start: str, end: str, body: str) -> None:
    """Rewrite what stands between two marker lines of a generated README section."""
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise ValueError(f"{path} has no markers {start} ... {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{body}\n{end}{tail}", encoding="utf-8")
