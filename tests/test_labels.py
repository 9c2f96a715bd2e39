import pytest

from ml.runtime.labels import LABEL_SETS, char_from_folder_name, folder_name_for, get_label_set


def test_label_set_sizes() -> None:
    sizes = {name: s.num_classes for name, s in LABEL_SETS.items()}
    assert sizes == {"digits10": 10, "letters26": 26, "emnist36": 36, "balanced47": 47, "byclass62": 62}


def test_case_is_merged_only_where_the_set_merges_it() -> None:
    emnist36, balanced, byclass = (get_label_set(n) for n in ("emnist36", "balanced47", "byclass62"))
    assert emnist36.class_of("a") == emnist36.class_of("A") == 10
    assert balanced.class_of("a") != balanced.class_of("A")  # a/A stay apart in Balanced
    assert balanced.class_of("c") == balanced.class_of("C")  # c/C merge in Balanced
    assert byclass.class_of("c") != byclass.class_of("C")


def test_case_merged_samples_serve_only_sets_that_merge_them() -> None:
    byclass, balanced, letters = (get_label_set(n) for n in ("byclass62", "balanced47", "letters26"))
    assert byclass.class_of("C", case_merged=True) is None
    assert balanced.class_of("C", case_merged=True) == balanced.classes.index("C")
    assert balanced.class_of("A", case_merged=True) is None  # Balanced keeps a and A apart
    assert letters.class_of("A", case_merged=True) == 0


def test_digits_are_not_letters() -> None:
    assert get_label_set("letters26").class_of("7") is None
    assert get_label_set("digits10").class_of("A") is None


def test_unknown_label_set_names_the_choices() -> None:
    with pytest.raises(ValueError, match="emnist36"):
        get_label_set("nope")


@pytest.mark.parametrize("char", ["0", "A", "a", "z", "Q"])
def test_folder_names_round_trip_and_differ_by_case(char: str) -> None:
    assert char_from_folder_name(folder_name_for(char)) == char
    assert folder_name_for("a").lower() != folder_name_for("A").lower()


def test_folder_name_aliases() -> None:
    assert char_from_folder_name("upper_b") == "B"
    assert char_from_folder_name("lower_B") == "b"
    assert char_from_folder_name("letters") is None
