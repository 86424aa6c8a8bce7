"""cuid-like ids ('c' + 24 base36 characters), drawn from the simulator's seeded RNG."""

from __future__ import annotations

import random
from functools import cache
from itertools import product

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_TRIPLE = 36**3


@cache
def _triples() -> tuple[str, ...]:
    return tuple("".join(chars) for chars in product(_ALPHABET, repeat=3))


class IdMaker:
    """Callable giving a new id per call; the same RNG state gives the same ids."""

    def __init__(self, rng: random.Random) -> None:
        self._bits = rng.getrandbits
        self._triples = _triples()

    def __call__(self) -> str:
        value = self._bits(124)  # 2**124 < 36**24: every id has 24 digits
        parts = []
        for _ in range(8):
            value, digit = divmod(value, _TRIPLE)
            parts.append(self._triples[digit])
        return "c" + "".join(parts)
