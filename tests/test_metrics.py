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


def test_fusion_scores_count_a_stroke_model_once_per_character_and_pictures_per_pen() -> None:
    from ml.evaluation.evaluate import EvaluationSet
    from ml.evaluation.fusion_fit import PairedProbabilities, score_fusion
    from ml.runtime.fusion import FusionWeights

    labels = ["0", "O", "A"]
    # Two characters (an O and an A), each drawn with three pens: rows are character x pen.
    data = EvaluationSet(
        inputs=np.zeros((6, 28, 28), dtype=np.float32),
        targets=np.array([1, 2, 1, 2, 1, 2]),
        written=np.array(["O", "A"] * 3),
        condition=np.array(["thin", "thin", "default", "default", "thick", "thick"]),
        source_index=np.array([7, 9, 7, 9, 7, 9]),
    )
    picture_right = np.array([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8]] * 3, dtype=np.float32)
    picture_right[4] = [0.8, 0.1, 0.1]  # the thick pen's O read as 0
    strokes = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]] * 3, dtype=np.float32)  # its O read as 0
    scores = score_fusion(PairedProbabilities(data, picture_right, strokes), FusionWeights(1.0, 0.0, ()), labels)
    assert scores["strokes"]["n"] == 2 and scores["strokes"]["accuracy"] == pytest.approx(0.5)
    assert "per_condition" not in scores["strokes"]
    assert scores["strokes"]["lookalikes"]["O/o->0"] == {"written": 1, "read_as_digit": 1}
    assert scores["image"]["n"] == 6 and scores["image"]["per_condition"]["thick"] == pytest.approx(0.5)
    assert scores["fused"]["accuracy"] == pytest.approx(5 / 6, abs=1e-5)  # headline figures are rounded


def test_word_rates_come_with_the_range_resampling_their_words_gives() -> None:
    from ml.evaluation.words import ReadingScores, resampled_interval

    scores = ReadingScores()
    for k in range(40):  # one word in four read with one character wrong
        written = "abcd"
        scores.add("abxd" if k % 4 == 0 else written, written, 10.0)
    said = scores.as_dict()
    assert said["words"] == 40 and said["characters"] == 160
    assert said["cer"] == 10 / 160 and said["word_accuracy"] == 0.75
    for rate in ("cer", "cer_case_insensitive", "word_accuracy"):
        low, high = said[f"{rate}_interval"]
        assert low < said[rate] < high
    assert said["cer_interval"] == scores.as_dict()["cer_interval"]  # the same words, the same range
    # Ten times the words, the same rate: a narrower range round it.
    errors = np.tile(np.array([1.0, 0.0, 0.0, 0.0]), 10)
    lengths = np.full(len(errors), 4.0)
    few, many = resampled_interval(errors, lengths), resampled_interval(np.tile(errors, 10), np.tile(lengths, 10))
    assert few[0] < many[0] < 1 / 16 < many[1] < few[1]
    # The same errors all by one writer of four: resampled by writer, the rate may be 0 or four times as
    # high, a wider range than the words alone say.
    writers = np.repeat(np.array(["w0", "w1", "w2", "w3"]), 10)
    errors_of_one = np.where(writers == "w0", 1.0, 0.0)
    by_words, by_writers = (
        resampled_interval(errors_of_one, lengths),
        resampled_interval(errors_of_one, lengths, writers),
    )
    assert by_writers[0] < by_words[0] and by_writers[1] > by_words[1]
    assert by_writers[0] == 0.0
    assert resampled_interval(np.zeros(0), np.zeros(0)) is None
    assert resampled_interval(np.ones(6), np.full(6, 3.0), np.array(["w0"] * 6)) is None  # one writer: no range
    assert resampled_interval(np.zeros(5), np.full(5, 3.0)) == (0.0, 0.0)  # no error anywhere: no room to move
    # A rate over characters, not a mean of lines' rates: one error in a word of 2, none in one of 8.
    mixed = ReadingScores()
    mixed.add("ax", "ab", 1.0, writer="w0")
    mixed.add("abcdefgh", "abcdefgh", 1.0, writer="w1")
    assert mixed.as_dict()["cer"] == 1 / 10 and mixed.as_dict()["cer_interval"] == (0.0, 0.5)


def test_calibration_error_is_how_far_confidence_is_from_being_right() -> None:
    from ml.training.metrics import calibration_error

    targets = np.array([0] * 10)
    sure = np.tile([0.9, 0.1], (10, 1))  # 90% sure each time ...
    assert calibration_error(sure, targets) == pytest.approx(0.1)  # ... and right every time
    half_right = np.tile([0.9, 0.1], (10, 1))
    half_right[5:] = [0.1, 0.9]  # ... right half the time: 40 points too sure
    assert calibration_error(half_right, targets) == pytest.approx(0.4)
    honest = np.tile([0.8, 0.2], (10, 1))
    honest[8:] = [0.2, 0.8]  # 80% sure, right eight times in ten
    assert calibration_error(honest, targets) == pytest.approx(0.0)
    certain = np.tile([1.0, 0.0], (4, 1))  # a confidence of exactly 1 is counted, in the last bin
    assert calibration_error(certain, np.array([0, 0, 0, 1])) == pytest.approx(0.25)
    assert np.isnan(calibration_error(np.zeros((0, 2)), np.zeros(0, dtype=np.int64)))
    assert classification_metrics(half_right, targets, ["a", "b"])["calibration_error"] == pytest.approx(0.4)


def test_the_fusions_temperature_makes_its_confidence_what_the_drawings_bear_out() -> None:
    """Two models' weights adding up to more than one made the fused answer surer than it was right (the
    app showed 100.0% for two models' 94.5% and 95.1%); the temperature is fitted to bring it back."""
    from ml.evaluation.evaluate import EvaluationSet
    from ml.evaluation.fusion_fit import PairedProbabilities, fit_temperature
    from ml.runtime.fusion import FusionWeights, fuse_probabilities
    from ml.training.metrics import calibration_error

    rng = np.random.default_rng(3)
    n, classes = 3000, 4
    targets = rng.integers(0, classes, n)

    # Each model 75% sure of its answer, and right three times in four (honest alone); errors apart.
    def honest_model() -> np.ndarray:
        answers = np.where(rng.random(n) < 0.75, targets, (targets + rng.integers(1, classes, n)) % classes)
        p = np.full((n, classes), 0.25 / (classes - 1))
        p[np.arange(n), answers] = 0.75
        return p

    image, strokes = honest_model(), honest_model()
    data = EvaluationSet(
        inputs=np.zeros((n, 1, 1), dtype=np.float32),
        targets=targets,
        written=np.array(["a"] * n),
        condition=np.array([""] * n),
        source_index=np.arange(n),
    )
    paired = PairedProbabilities(data, image, strokes)
    weights = FusionWeights(1.5, 1.5)  # as weights chosen for the answer alone may be
    too_sure = fuse_probabilities(image, strokes, weights)
    temperature = fit_temperature(paired, weights)
    tempered = fuse_probabilities(image, strokes, FusionWeights(1.5, 1.5, temperature=temperature))
    assert temperature > 1.2
    assert (tempered.argmax(1) == too_sure.argmax(1)).all()  # no answer changes
    assert calibration_error(tempered, targets) < calibration_error(too_sure, targets) / 2
    # Weights of an honest sum (each model's evidence once) need no temperature.
    assert fit_temperature(paired, FusionWeights(1.0, 1.0)) == pytest.approx(1.0, abs=0.15)


def test_digits_read_as_letters_like_them_are_counted_as_letters_read_as_digits_are() -> None:
    from ml.evaluation.evaluate import EvaluationSet, score_probabilities

    labels = ["0", "1", "I/i", "L", "O/o", "A/a"]  # (L as a 36-class model names its L and l)
    written = np.array(["0", "0", "0", "1", "1", "1", "o", "A"])
    read = ["O/o", "0", "O/o", "L", "I/i", "1", "0", "A/a"]  # two 0s as O, both 1s as letters but one
    probabilities = np.eye(len(labels), dtype=np.float32)[[labels.index(label) for label in read]]
    data = EvaluationSet(
        inputs=np.zeros((len(written), 28, 28), dtype=np.float32),
        targets=np.array([labels.index({"0": "0", "1": "1", "o": "O/o", "A": "A/a"}[w]) for w in written]),
        written=written,
        condition=np.array([""] * len(written)),
        source_index=np.arange(len(written)),
    )
    headline, _ = score_probabilities(probabilities, data, labels)
    assert headline["digits_as_letters"] == {
        "0->O/o": {"written": 3, "read_as_letter": 2},
        "1->I/l": {"written": 3, "read_as_letter": 2},
    }
    assert headline["lookalikes"]["O/o->0"] == {"written": 1, "read_as_digit": 1}
    # Where the classes tell a letter's cases apart (the 62), a 1 read as L or i is no 1 read as I or l.
    cased = ["1", "I", "i", "L", "l"]
    ones = EvaluationSet(
        np.zeros((4, 28, 28), dtype=np.float32),
        np.zeros(4, dtype=np.int64),
        np.array(["1"] * 4),
        np.array([""] * 4),
        np.arange(4),
    )
    read_as = np.eye(len(cased), dtype=np.float32)[[cased.index(label) for label in ("L", "i", "l", "I")]]
    assert score_probabilities(read_as, ones, cased)[0]["digits_as_letters"]["1->I/l"]["read_as_letter"] == 2
    # A model of digits alone has no letters to read them as: nothing to count.
    digits_only = EvaluationSet(data.inputs[:1], np.array([0]), written[:1], data.condition[:1], data.source_index[:1])
    assert "digits_as_letters" not in score_probabilities(np.eye(2, dtype=np.float32)[:1], digits_only, ["0", "1"])[0]
