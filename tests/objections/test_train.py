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


def test_easy_adapt_ships_general_plus_real_weights_in_the_vocabulary_width(rows, monkeypatch):
    from asistente.objections.normalize import load_normalizer

    norm = load_normalizer()
    picked = []
    for cat in train.CATEGORIES:
        of_cat = [r for r in rows if r["category"] == cat]
        picked += [r for r in of_cat if train.is_real(r)][:4] + [r for r in of_cat if not train.is_real(r)][
            :4
        ]
    docs = [train.doc_of(norm, r["text"]) for r in picked]
    plain = train.fit(picked, docs, 30.0)
    monkeypatch.setattr(train, "EASY_ADAPT", True)
    adapted = train.fit(picked, docs, 30.0)
    assert adapted.vocabulary == plain.vocabulary
    assert adapted.coef.shape == plain.coef.shape == (len(train.CATEGORIES), len(plain.vocabulary))
    # the real-only copies change what the model reads on a real turn
    assert abs(adapted.coef - plain.coef).max() > 0.01
    real_doc = [docs[i] for i, r in enumerate(picked) if train.is_real(r)][:1]
    assert adapted.logits(real_doc).shape == (1, len(train.CATEGORIES))


def test_page_balance_caps_a_page_and_keeps_the_real_total(monkeypatch):
    def turn(source):
        return {"source": source, "category": "NO_MONEY", "text": "x"}

    rows = (
        [turn("https://a.example/list")] * 6
        + [turn("https://b.example/p")] * 3
        + [turn("https://c.example/q")]
    )
    rows += [turn("written: b01")] * 4
    assert train.page_factors(rows) == [1.0] * len(rows)  # off by default
    monkeypatch.setattr(train, "PAGE_BALANCE", True)
    monkeypatch.setattr(train, "PAGE_BALANCE_TURNS", 3)
    f = train.page_factors(rows)
    # a six-turn page weighs as three turns, pages of three or fewer turns are not capped
    assert sum(f[:6]) == pytest.approx(sum(f[6:9]))
    assert f[6] == pytest.approx(f[9])
    # the real turns' total weight is unchanged, written turns keep 1
    assert sum(f[:10]) == pytest.approx(10.0)
    assert f[10:] == [1.0] * 4


def test_none_bias_is_fitted_negative_when_none_is_overconfident_and_zero_when_calibrated():
    import numpy as np

    rng = np.random.default_rng(7)
    k, none = len(train.CATEGORIES), train.CATEGORIES.index("NONE")
    n = 600
    y = rng.integers(0, k, n)
    z = rng.normal(0.0, 1.0, (n, k))
    z[np.arange(n), y] += 2.5  # the right category usually on top
    zc = [None] * n
    calibrated_bias, _ = train.fit_none_bias(z, zc, list(y))
    assert abs(calibrated_bias) <= 0.3
    inflated = z.copy()
    inflated[:, none] += 2.0  # NONE read everywhere with confidence it has not earned
    bias, t = train.fit_none_bias(inflated, zc, list(y))
    assert bias <= -1.5 and t > 0
    # the bias moves the turn's NONE logit and each clause's, nothing else
    clauses = [np.zeros((2, k)), None]
    zb, zcb = train.with_none_bias(np.zeros((2, k)), clauses, -1.0)
    assert zb[:, none].tolist() == [-1.0, -1.0] and zb.sum() == -2.0
    assert zcb[0][:, none].tolist() == [-1.0, -1.0] and zcb[1] is None
    assert clauses[0].sum() == 0.0  # inputs untouched
