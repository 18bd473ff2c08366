# Input checks shared by the recurrent cells' step, run and backward functions.
"""Check factories for recurrent cells: each returns the ``check`` that :func:`vgdocs._validate.checked` runs."""

from __future__ import annotations

from collections.abc import Callable

from vgdocs._validate import array, cotangent, instance, sequence, shape, state, step_list

Check = Callable[..., tuple[object, ...]]


def step_inputs(kind: type, states: tuple[str, ...] = ("h_prev",)) -> Check:
    """Checks of one step ``(x, *states, params)``: ``x`` is $(B, D)$, each state $(B, H)$."""

    def check(x: object, *rest: object) -> tuple[object, ...]:
        *values, params = rest
        instance("params", params, kind)
        x = array("x", x, 2, allow_empty=True)
        shape("x", x, (x.shape[0], params.D))  # type: ignore[attr-defined]
        checked = [state(n, v, x.shape[0], params.H) for n, v in zip(states, values, strict=True)]  # type: ignore[attr-defined]
        return x, *checked, params

    return check


def step_cotangents(kind: type, step_kind: type, names: tuple[str, ...] = ("dh",)) -> Check:
    """Checks of one backward step ``(*cotangents, step, params)``; cotangents may carry leading axes."""

    def check(*args: object) -> tuple[object, ...]:
        *values, step, params = args
        instance("params", params, kind)
        instance("step", step, step_kind)
        B, H = step.h.shape  # type: ignore[attr-defined]
        return *(cotangent(n, v, B, H) for n, v in zip(names, values, strict=True)), step, params

    return check


def run_inputs(kind: type, states: tuple[str, ...] = ("h0",)) -> Check:
    """Checks of a run ``(xs, *initial_states, params)``: ``xs`` is $(T, B, D)$."""

    def check(xs: object, *rest: object) -> tuple[object, ...]:
        *values, params = rest
        instance("params", params, kind)
        xs = sequence("xs", xs, params.D)  # type: ignore[attr-defined]
        return xs, *(state(n, v, xs.shape[1], params.H) for n, v in zip(states, values, strict=True)), params  # type: ignore[attr-defined]

    return check


def run_cotangents(kind: type, step_kind: type, producer: str) -> Check:
    """Checks of a backward run ``(dhs, steps, params)``: ``dhs`` is $(T, B, H)$."""

    def check(dhs: object, steps: object, params: object) -> tuple[object, ...]:
        instance("params", params, kind)
        step_list(steps, step_kind, producer)
        B, H = steps[0].h.shape  # type: ignore[index]
        dhs = array("dhs", dhs, 3, allow_empty=True)
        shape("dhs", dhs, (len(steps), B, H))  # type: ignore[arg-type]
        return dhs, steps, params

    return check
