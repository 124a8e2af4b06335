"""tools/build_sites.py hands a variant build a block's output only for the very same block,
in the very same sequence, as the first build ran."""

from __future__ import annotations

import pytest

from tools.build_sites import Blocks, ReuseError


def _runner(log: list[str]):  # type: ignore[no-untyped-def]
    def run(code: str, *args: object, **kwargs: object) -> str:
        log.append(code)
        return f"output of {code!r} in {kwargs.get('session')}"

    return run


def _never(code: str, *args: object, **kwargs: object) -> str:
    raise AssertionError(f"a replayed block ran: {code!r}")


BLOCKS = [("x = 1", "a"), ("print(x)", "a"), ("print(2)", "b")]


def _record() -> Blocks:
    ran: list[str] = []
    first = Blocks(_runner(ran))
    outputs = [first(code, session=session) for code, session in BLOCKS]
    assert ran == [code for code, _ in BLOCKS]
    assert [output for _, output in first.recorded] == outputs
    return first


def test_the_same_sequence_is_replayed_without_running_anything() -> None:
    first = _record()
    again = Blocks(_never, replay=first.recorded)
    assert [again(code, session=s) for code, s in BLOCKS] == [o for _, o in first.recorded]
    assert again.recorded == first.recorded


@pytest.mark.parametrize(
    "changed",
    [
        [("x = 1", "a"), ("print(x + 1)", "a"), ("print(2)", "b")],  # other code
        [("x = 1", "a"), ("print(x)", "b"), ("print(2)", "b")],  # other session
        [("print(x)", "a"), ("x = 1", "a"), ("print(2)", "b")],  # other order
        [*BLOCKS, ("print(3)", "b")],  # one block more
    ],
    ids=["code", "session", "order", "extra"],
)
def test_any_difference_stops_the_replay(changed: list[tuple[str, str]]) -> None:
    first = _record()
    again = Blocks(_never, replay=first.recorded)
    with pytest.raises(ReuseError):
        for code, session in changed:
            again(code, session=session)


def test_a_block_that_reads_the_environment_is_flagged() -> None:
    assert not _record().reads_configuration
    first = Blocks(_runner([]))
    first("import os\nprint(os.environ.get('DLREF_OFFLINE'))", session="a")
    assert first.reads_configuration
