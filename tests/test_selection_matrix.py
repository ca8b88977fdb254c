"""The `selection` matrix assumption: a diagonal of 0s and 1s with at least one 1 (a mini-batch),
so SᵀS = S holds at every instance drawn, and a student's use of it is accepted."""
import random

from derive.structured import draw


def test_a_selection_matrix_is_a_nonzero_0_1_diagonal():
    rng = random.Random(3)
    for size in (1, 2, 3, 5):
        for _ in range(20):
            s = draw(rng, size, size, ["selection"])
            assert all(s[i][j] == 0 for i in range(size) for j in range(size) if i != j)
            assert {s[i][i] for i in range(size)} <= {0, 1} and any(s[i][i] == 1 for i in range(size))


def test_a_selection_is_idempotent_so_the_checker_accepts_s_transpose_s_equals_s(problems):
    from derive.check.run import check_text

    report = check_text("## 1.1.1b\n\n$$S^\\top S = S$$\n", "s.md", problems("minnorm-sgd"))
    assert report.steps[0].status == "ok"
    report = check_text("## 1.1.1b\n\n$$S^\\top S = 2S$$\n", "s.md", problems("minnorm-sgd"))
    assert report.steps[0].status == "wrong"
