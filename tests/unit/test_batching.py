import numpy as np

from vault_pandas.config import MAX_RECORDS
from vault_pandas.write.batching import plan_batches


def _covered(batches):
    return [i for a, b in batches for i in range(a, b)]


def test_counts_only_when_rows_are_small():
    batches, big = plan_batches(np.full(1234, 100))
    assert batches == [(0, 500), (500, 1000), (1000, 1234)]
    assert len(big) == 0


def test_exactly_500_and_501():
    assert plan_batches(np.full(500, 1))[0] == [(0, 500)]
    assert plan_batches(np.full(501, 1))[0] == [(0, 500), (500, 501)]


def test_cuts_by_bytes_and_never_exceeds_either_limit():
    rng = np.random.default_rng(0)
    sizes = rng.integers(1, 400, size=5000)
    batches, big = plan_batches(sizes, max_bytes=20_000, header_bytes=100)
    assert len(big) == 0
    assert _covered(batches) == list(range(5000))
    for a, b in batches:
        assert b - a <= MAX_RECORDS
        assert sizes[a:b].sum() + 100 <= 20_000


def test_row_larger_than_limit_is_reported_and_skipped():
    sizes = np.array([10, 10, 1000, 10])
    batches, big = plan_batches(sizes, max_bytes=100)
    assert big.tolist() == [2]
    assert _covered(batches) == [0, 1, 3]


def test_empty():
    batches, big = plan_batches(np.array([], dtype=np.int64))
    assert batches == [] and len(big) == 0
