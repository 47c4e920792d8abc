import pytest

from mipnn.validation import check_choice, check_int_sequence, check_number, check_positive_int


def test_check_choice_names_parameter_and_options():
    assert check_choice("objective", "a", ["a", "b"]) == "a"
    with pytest.raises(ValueError, match=r"objective='c'.*'a', 'b'"):
        check_choice("objective", "c", ["a", "b"])


def test_check_number():
    assert check_number("t", 1.5, low=0, low_open=True) == 1.5
    with pytest.raises(ValueError, match=r"t=0 is out of range; allowed: \(0, inf\]"):
        check_number("t", 0, low=0, low_open=True)
    with pytest.raises(ValueError, match="t='x' must be a real number"):
        check_number("t", "x")
    with pytest.raises(ValueError, match="NaN"):
        check_number("t", float("nan"))
    with pytest.raises(ValueError, match="must be an integer"):
        check_number("k", 1.5, integer=True)
    with pytest.raises(ValueError):
        check_number("k", True, integer=True)
    assert check_number("k", None, allow_none=True) is None


def test_int_sequences():
    assert check_int_sequence("hidden", (16,)) == (16,)
    assert check_int_sequence("hidden", 8) == (8,)
    with pytest.raises(ValueError, match=r"hidden\[1\]=0"):
        check_int_sequence("hidden", [3, 0])
    with pytest.raises(ValueError, match="must not be empty"):
        check_int_sequence("hidden", [])
    assert check_positive_int("n", 3) == 3
