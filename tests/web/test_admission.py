"""Page handlers take turns while they are quick, and never wait long behind a slow one."""

from __future__ import annotations

import asyncio
import time

import pytest

from portal.web.admission import Admission


def test_quick_handlers_run_one_at_a_time_in_arrival_order() -> None:
    admission = Admission(slots=1, patience=60.0)  # nobody is slow here
    inside: list[int] = []
    order: list[int] = []
    most = 0

    async def handler(n: int) -> None:
        nonlocal most
        async with admission.turn():
            inside.append(n)
            most = max(most, len(inside))
            order.append(n)
            for _ in range(3):  # give the others every chance to get in
                await asyncio.sleep(0)
            inside.remove(n)

    async def main() -> None:
        await asyncio.gather(*(handler(n) for n in range(6)))

    asyncio.run(main())
    assert most == 1
    assert order == list(range(6))


def test_two_slots_let_two_in() -> None:
    admission = Admission(slots=2, patience=60.0)
    most = 0
    inside = 0

    async def main() -> None:
        together = asyncio.Event()  # set when two are in at once

        async def handler() -> None:
            nonlocal most, inside
            async with admission.turn():
                inside += 1
                most = max(most, inside)
                if inside == 2:
                    together.set()
                await together.wait()
                inside -= 1

        await asyncio.gather(*(handler() for _ in range(4)))

    asyncio.run(main())
    assert most == 2


def test_a_slow_handler_holds_the_others_up_no_longer_than_the_patience() -> None:
    admission = Admission(slots=1, patience=0.05)
    waited: list[float] = []

    async def main() -> None:
        slow_in = asyncio.Event()
        others_done = asyncio.Event()

        async def slow() -> None:
            async with admission.turn():
                slow_in.set()
                await others_done.wait()  # finishes only after the quick ones did

        async def quick() -> None:
            await slow_in.wait()
            asked = time.monotonic()
            async with admission.turn():
                waited.append(time.monotonic() - asked)

        async def quick_ones() -> None:
            await asyncio.gather(*(quick() for _ in range(3)))
            others_done.set()

        await asyncio.wait_for(asyncio.gather(slow(), quick_ones()), timeout=30)

    asyncio.run(main())
    assert len(waited) == 3  # all ran while the slow one still held its turn
    assert max(waited) < 5.0  # bounded by the patience (0.05 s), with room for a loaded machine


def test_after_a_slow_handler_the_quick_ones_queue_again() -> None:
    admission = Admission(slots=1, patience=0.02)
    most = 0
    inside = 0

    async def main() -> None:
        nonlocal most, inside
        async with admission.turn():
            await asyncio.sleep(0.05)  # slow: longer than the patience

        async def quick() -> None:
            nonlocal most, inside
            async with admission.turn():
                inside += 1
                most = max(most, inside)
                for _ in range(3):
                    await asyncio.sleep(0)
                inside -= 1

        await asyncio.gather(*(quick() for _ in range(5)))

    asyncio.run(main())
    assert most == 1


def test_an_error_in_a_handler_gives_its_turn_back() -> None:
    admission = Admission(slots=1, patience=60.0)

    async def main() -> str:
        with pytest.raises(RuntimeError):
            async with admission.turn():
                raise RuntimeError("the page failed")
        async with admission.turn():
            return "next page served"

    assert asyncio.run(asyncio.wait_for(main(), timeout=30)) == "next page served"


def test_no_slots_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        Admission(slots=0)
