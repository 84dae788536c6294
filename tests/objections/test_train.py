"""The trainer's cross-validation folds (asistente.objections.train, needs the `train` extra): grouped by page,
every public page's quoted turns are scored by a model that never saw that page."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

pytest.importorskip("sklearn")

from asistente.objections import train


@pytest.fixture(scope="module")
def rows():
    return train.load_rows(train.default_paths())


def _test_fold_of_each_page(rows, splits):
    seen = defaultdict(set)
    for k, (_, test) in enumerate(splits):
        for i in test:
            if train.is_real(rows[i]):
                seen[rows[i]["source"]].add(k)
    return seen


def test_page_grouped_folds_keep_each_page_in_one_test_fold(rows):
    splits = train.folds(rows, by_page=True)
    assert len(splits) == train.FOLDS
    tested = Counter(i for _, test in splits for i in test)
    assert sorted(tested) == list(range(len(rows))) and set(tested.values()) == {1}
    for train_idx, test_idx in splits:
        assert not set(train_idx) & set(test_idx)
    pages = _test_fold_of_each_page(rows, splits)
    assert len(pages) > 100
    assert all(len(ks) == 1 for ks in pages.values())
    # still stratified: every category is scored in every fold
    for _, test in splits:
        assert {rows[i]["category"] for i in test} == set(train.CATEGORIES)


def test_stratified_folds_split_pages_which_the_grouping_prevents(rows):
    pages = _test_fold_of_each_page(rows, train.folds(rows, by_page=False))
    assert any(len(ks) > 1 for ks in pages.values())
