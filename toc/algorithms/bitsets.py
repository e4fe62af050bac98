"""Sets of positions held as non-negative integers: bit j set means position j is in."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["members", "tally"]


def members(bits: int) -> list[int]:
    """The positions of the set bits of a non-negative integer, lowest first.

    >>> members(0b101001)
    [0, 3, 5]
    >>> members(0)
    []
    """
    if bits.bit_count() <= 16:
        # Few bits, however wide: peel off the highest each time (bit_length is O(1), and
        # clearing the top bit shortens the number), then read them lowest first.
        found = []
        while bits:
            top = bits.bit_length() - 1
            found.append(top)
            bits ^= 1 << top
        found.reverse()
        return found
    # Many bits: the binary text, read from its low end, finds them at C speed.
    text = bin(bits)[:1:-1]
    found = []
    position = text.find("1")
    while position >= 0:
        found.append(position)
        position = text.find("1", position + 1)
    return found


def tally(bitsets: Iterable[int], size: int) -> list[int]:
    """For each bit position below `size`, how many of `bitsets` have it set.

    Bit-sliced counters: slice i holds bit i of every position's count, and adding a bitset
    is a ripple-carry addition of whole integers, so the cost does not grow with how many
    bits each bitset holds (counting by members would, on a portfolio where thousands of
    initiatives share every late step).

    >>> tally([0b011, 0b110, 0b010], 3)
    [1, 3, 1]
    """
    slices: list[int] = []
    for bits in bitsets:
        carry = bits
        level = 0
        while carry:
            if level == len(slices):
                slices.append(carry)
                break
            held = slices[level]
            slices[level] = held ^ carry
            carry &= held
            level += 1
    counts = [0] * size
    for level, bits in enumerate(slices):
        weight = 1 << level
        for position in members(bits):
            counts[position] += weight
    return counts
