"""Parameter checks shared by every public function.

Each check raises ``ValueError`` naming the parameter and what is allowed, so bad input fails before any model
is built or any solver is started.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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


#: Where parallel work runs (:mod:`mipnn.executors`); a Dask scheduler address (``tcp://…``) is accepted as well.
EXECUTORS = ("local", "dask")


def check_executor(executor: str) -> str:
    """``executor`` if it is ``"local"``, ``"dask"`` or a Dask scheduler address; a clear error otherwise."""
    if isinstance(executor, str) and (executor in EXECUTORS or executor.startswith(("tcp://", "tls://"))
                                      and len(executor.split("://", 1)[1]) > 0):
        return executor
    raise ValueError(f"executor must be 'local', 'dask' (a LocalCluster started here) or a Dask scheduler address "
                     f"such as 'tcp://127.0.0.1:8786'; got {executor!r}")


@dataclass(frozen=True)
class Param:
    """One declared parameter (of a notebook's ``parameters`` cell): what it may be, checked by :meth:`check`.

    ``kind``:

    * ``"choice"`` — one of ``allowed``;
    * ``"number"`` / ``"integer"`` — a real / integer number in the interval given by ``low``, ``high``
      (``low_open``/``high_open`` exclude the ends);
    * ``"seed"`` — an integer in ``[0, 2**31)``;
    * ``"integers"`` — a non-empty list of integers ≥ ``low`` (and ≤ ``high`` if given); ``"choices"`` — a
      non-empty list drawn from ``allowed``. A scalar is accepted as a one-element list (``-p sample_sizes 40``
      means ``[40]``);
    * ``"executor"`` — where parallel work runs: ``"local"``, ``"dask"`` or a Dask scheduler address
      (:func:`mipnn.executors.check_executor`).

    ``allow_none``: ``None`` is allowed too (e.g. "take it from the profile"). ``help`` says what it is.
    """

    kind: str
    allowed: tuple = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    allow_none: bool = False
    help: str = ""

    KINDS = ("choice", "number", "integer", "seed", "integers", "choices", "executor")

    def __post_init__(self):
        check_choice("kind", self.kind, self.KINDS)

    def describe(self) -> str:
        """The allowed values in words, e.g. ``"list of integers >= 2, or None"``."""
        bounds = _bounds_text(self.low, self.high, self.low_open, self.high_open)
        text = {
            "choice": "one of " + ", ".join(map(repr, self.allowed)),
            "number": f"a real number in {bounds}",
            "integer": f"an integer in {bounds}",
            "seed": "an integer in [0, 2**31)",
            "integers": f"a list of integers >= {self.low}" + ("" if self.high is None else f" and <= {self.high:,}"),
            "choices": "a list drawn from " + ", ".join(map(repr, self.allowed)),
            "executor": "'local', 'dask' or a Dask scheduler address such as 'tcp://host:8786'",
        }[self.kind]
        return text + (", or None" if self.allow_none else "")

    def check(self, name: str, value: Any) -> Any:
        """Return ``value`` (lists as lists, a scalar list entry wrapped) or raise ``ValueError`` naming ``name``."""
        if value is None and self.allow_none:
            return None
        try:
            return self._check(name, value)
        except ValueError as err:
            raise ValueError(f"{err} (parameter {name}: {self.describe()})") from None

    def _check(self, name, value):
        if self.kind == "choice":
            return check_choice(name, value, self.allowed)
        if self.kind in ("number", "integer"):
            return check_number(name, value, low=self.low, high=self.high, low_open=self.low_open,
                                high_open=self.high_open, integer=self.kind == "integer")
        if self.kind == "seed":
            return check_random_state(value, name, allow_none=False)
        if self.kind == "executor":
            try:
                return check_executor(value)
            except ValueError:
                raise ValueError(f"{name}={value!r} is not an executor") from None
        items = [value] if isinstance(value, (str, numbers.Number)) or not isinstance(value, Iterable) else value
        items = list(items)
        if not items:
            raise ValueError(f"{name}=[] must not be empty")
        if self.kind == "integers":
            out = list(check_int_sequence(name, items, minimum=int(self.low if self.low is not None else 0)))
            for i, v in enumerate(out):
                if self.high is not None and v > self.high:
                    raise ValueError(f"{name}[{i}]={v} is out of range; allowed: at most {self.high:,}")
            return out
        return [check_choice(f"{name}[{i}]", v, self.allowed) for i, v in enumerate(items)]


def check_parameters(values: Mapping[str, Any], schema: Mapping[str, Param],
                     rules: Iterable[Callable[[dict], None]] = ()) -> dict[str, Any]:
    """Check every parameter of ``schema`` in ``values`` (a mapping such as a notebook's ``globals()``); then the
    cross-constraints ``rules`` (each takes the checked dict and raises ``ValueError``). Returns the checked,
    normalised values of the declared parameters only. A declared parameter missing from ``values`` is an error."""
    missing = [name for name in schema if name not in values]
    if missing:
        raise ValueError(f"parameter(s) {', '.join(missing)} not set; declared: {', '.join(schema)}")
    out = {name: param.check(name, values[name]) for name, param in schema.items()}
    for rule in rules:
        rule(out)
    return out
