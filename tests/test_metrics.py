import numpy as np
import pytest

from ml.training.metrics import classification_metrics, confusion_matrix, most_confused_pairs, roc_curve


def _probs(predicted: list[int], n: int) -> np.ndarray:
    p = np.full((len(predicted), n), 0.01)
    p[np.arange(len(predicted)), predicted] = 0.9
    return p


def test_confusion_rows_are_truth() -> None:
    m = confusion_matrix(np.array([0, 0, 1]), np.array([0, 1, 1]), 2)
    assert m.tolist() == [[1, 1], [0, 1]]


def test_accuracy_balanced_accuracy_and_f1_by_hand() -> None:
    targets = np.array([0, 0, 0, 0, 1])
    m = classification_metrics(_probs([0, 0, 0, 0, 0], 2), targets, ["a", "b"])
    assert m["accuracy"] == pytest.approx(0.8)
    assert m["balanced_accuracy"] == pytest.approx(0.5)  # recall 1.0 and 0.0
    assert m["macro_f1"] == pytest.approx((2 * 0.8 * 1.0 / 1.8 + 0.0) / 2)
    assert m["per_class"]["b"]["support"] == 1


def test_top3_counts_the_truth_anywhere_in_the_top_three() -> None:
    p = np.array([[0.5, 0.3, 0.15, 0.05], [0.5, 0.3, 0.15, 0.05]])
    m = classification_metrics(p, np.array([2, 3]), list("abcd"))
    assert m["accuracy"] == 0 and m["top3"] == pytest.approx(0.5)


def test_roc_auc_perfect_inverted_and_tied() -> None:
    positive = np.array([True, True, False, False])
    assert roc_curve(np.array([0.9, 0.8, 0.2, 0.1]), positive)[2] == pytest.approx(1.0)
    assert roc_curve(np.array([0.1, 0.2, 0.8, 0.9]), positive)[2] == pytest.approx(0.0)
    assert roc_curve(np.full(4, 0.5), positive)[2] == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    assert roc_curve(rng.random(4000), rng.random(4000) < 0.3)[2] == pytest.approx(0.5, abs=0.03)


def test_most_confused_pairs_are_sorted() -> None:
    m = np.array([[5, 3, 0], [1, 5, 0], [0, 7, 2]])
    pairs = most_confused_pairs(m, ["O", "0", "Q"], top=2)
    assert [(p["true"], p["predicted"], p["count"]) for p in pairs] == [("Q", "0", 7), ("O", "0", 3)]
