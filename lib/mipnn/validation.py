"""Parameter checks shared by every public function.

Each check raises ``ValueError`` naming the parameter and what is allowed, so bad input fails before any model
is built or any solver is started.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``; otherwise raise ``ValueError``."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed; choose one of {', '.join(map(repr, allowed))}")
    return value


def _bounds_text(low, high, low_open, high_open) -> str:
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    lo = "-inf" if low is None else repr(low)
    hi = "inf" if high is None else repr(high)
    return f"{left}{lo}, {hi}{right}"


def check_number(name: str, value: Any, *, low=None, high=None, low_open=False, high_open=False,
                 integer=False, allow_none=False):
    """Check that ``value`` is a real (or integer) number inside the given interval and return it."""
    if value is None and allow_none:
        return None
    kind = "an integer" if integer else "a real number"
    ok_type = isinstance(value, numbers.Integral) if integer else isinstance(value, numbers.Real)
    if isinstance(value, bool) or not ok_type:
        raise ValueError(f"{name}={value!r} must be {kind} in {_bounds_text(low, high, low_open, high_open)}")
    if value != value:  # NaN
        raise ValueError(f"{name} must be {kind}, got NaN")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise ValueError(f"{name}={value!r} is out of range; allowed: {_bounds_text(low, high, low_open, high_open)}")
    return value


def check_positive_int(name: str, value: Any, *, minimum: int = 1, allow_none: bool = False):
    """Check that ``value`` is an integer ``>= minimum``."""
    return check_number(name, value, low=minimum, integer=True, allow_none=allow_none)


def check_int_sequence(name: str, value: Any, *, minimum: int = 1, allow_empty: bool = False) -> tuple[int, ...]:
    """Check a sequence of integers (e.g. hidden layer widths) and return it as a tuple."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    try:
        items = tuple(value)
    except TypeError:
        raise ValueError(f"{name}={value!r} must be a sequence of integers >= {minimum}") from None
    if not items and not allow_empty:
        raise ValueError(f"{name} must not be empty; give a sequence of integers >= {minimum}")
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, numbers.Integral) or item < minimum:
            raise ValueError(f"{name}[{i}]={item!r} must be an integer >= {minimum}")
    return tuple(int(v) for v in items)


def check_bool(name: str, value: Any) -> bool:
    """Check that ``value`` is ``True`` or ``False`` (a numpy boolean too; not merely truthy) and return it."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}={value!r} must be True or False")
    return bool(value)


def check_random_state(value: Any, name: str = "random_state", *, allow_none: bool = True):
    """A seed: an integer in ``[0, 2**31)`` (what numpy and HiGHS's ``random_seed`` accept), or ``None`` if
    ``allow_none``. Returns it as an ``int`` (or ``None``)."""
    if value is None and allow_none:
        return None
    if not (isinstance(value, numbers.Integral) and not isinstance(value, bool) and 0 <= value < 2**31):
        allowed = "None or an integer" if allow_none else "an integer"
        raise ValueError(f"{name}={value!r} must be {allowed} in [0, 2**31)")
    return int(value)
