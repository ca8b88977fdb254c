"""Comparing the certifier's exact values in the speed tests: old and new code must give equal
values of the same types."""


def same_exactly(a, b) -> bool:
    """Equal values of the same types, all the way down (matrices entry by entry, a Dual's parts)."""
    from derive.numeric import Dual, Mat

    if type(a) is not type(b):
        return False
    if isinstance(a, Mat):
        return a.shape == b.shape and all(same_exactly(x, y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
    if isinstance(a, Dual):
        return same_exactly(a.a, b.a) and same_exactly(a.b, b.b)
    return a == b
