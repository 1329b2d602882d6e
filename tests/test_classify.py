"""The classifier on its own: features, zero-shot, learning, persistence, JSONL and metrics."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from curator.classify import Doc, Example, ThemeClassifier, ThemeSpec
from curator.classify.evaluate import load_jsonl, metrics, run_evaluation, stratified_folds
from curator.classify.features import featurize, stem, tokens
from curator.classify.themes_default import DEFAULT_THEMES
from curator.errors import CuratorError

FIXTURE = Path(__file__).parent / "fixtures" / "themes-small.jsonl"
THEMES = [ThemeSpec(str(t["slug"]), str(t["name"]), str(t["description"]),
                    tuple(t["seeds"])) for t in DEFAULT_THEMES]  # type: ignore[arg-type]


def test_stemmer_merges_inflections() -> None:
    assert stem("councils") == stem("council")
    assert stem("engaging") == stem("engagement") == stem("engage")
    assert stem("consultations") == stem("consultation")
    assert tokens("The Council's open data") == [stem("council"), "open", "data"]


def test_features_keep_fields_apart() -> None:
    feats = featurize(Doc(title="Open data", summary="Spending", tags=["FOI"], site="x.gov.uk",
                          hint="openness"))
    assert {"t:open data", "w:open data", "w:" + stem("spending"), "tag:foi", "site:x.gov.uk",
            "hint:openness"} <= set(feats)


@pytest.mark.parametrize(("title", "summary", "expected"), [
    ("Publishing our spending data as open data", "Transparency for residents.", "openness"),
    ("Getting residents to take part in the budget consultation", "Engagement and democracy.",
     "openness"),
    ("Five tips for council Facebook pages", "A how-to for comms teams using the app.", "tools"),
    ("Agile service design in a county council", "Transformation, culture change and user "
     "research.", "improvement"),
    ("I'm leaving: a new job and a farewell", "Personal news after ten years.", "other"),
])
def test_zero_shot_clear_cases(title: str, summary: str, expected: str) -> None:
    prediction = ThemeClassifier(THEMES).predict(Doc(title=title, summary=summary))
    assert prediction.theme == expected
    assert prediction.why and prediction.why != "no clear evidence: default theme"
    assert 0 < prediction.confidence <= 1


def test_no_evidence_goes_to_fallback_with_low_confidence() -> None:
    prediction = ThemeClassifier(THEMES).predict(Doc(title="Zxqv", summary="Blorp"))
    assert prediction.theme == "other"
    assert prediction.confidence < 0.5


def test_feed_hint_is_a_prior() -> None:
    prediction = ThemeClassifier(THEMES).predict(Doc(title="Zxqv", hint="tools"))
    assert (prediction.theme, prediction.source) == ("tools", "feed")


def test_why_names_words_and_fields() -> None:
    prediction = ThemeClassifier(THEMES).predict(
        Doc(title="Open data and transparency", summary="", tags=["foi"]))
    assert "open data" in prediction.why and "(title)" in prediction.why
    assert "tag: foi" in prediction.why


def test_one_correction_changes_a_similar_post() -> None:
    doc = Doc(title="Notes from the Thursday planning huddle at Brampton",
              summary="What the Brampton huddle decided about Wendle bins.")
    before = ThemeClassifier(THEMES).predict(doc).theme
    target = "tools" if before != "tools" else "openness"
    taught = ThemeClassifier.fit(THEMES, [Example(doc, target, "user")])
    similar = Doc(title="Notes from the Friday planning huddle at Brampton",
                  summary="What the Brampton huddle decided about Wendle recycling.")
    after = taught.predict(similar)
    assert after.theme == target
    assert "you filed under" in after.why


def test_edition_labels_train_the_linear_model() -> None:
    rows = load_jsonl(FIXTURE)
    model = ThemeClassifier.fit(THEMES, [Example(r.doc, r.label, "edition") for r in rows])
    assert model.linear is not None and model.linear_weight > 0
    assert set(model.linear.classes) == {"openness", "improvement", "tools", "other"}


def test_model_round_trips_through_bytes() -> None:
    rows = load_jsonl(FIXTURE)
    model = ThemeClassifier.fit(THEMES, [Example(r.doc, r.label, "user") for r in rows])
    copy = ThemeClassifier.from_bytes(model.to_bytes(), THEMES)
    assert copy is not None
    for row in rows:
        assert copy.predict(row.doc).probabilities == pytest.approx(
            model.predict(row.doc).probabilities)
    assert ThemeClassifier.from_bytes(model.to_bytes(), THEMES[:3]) is None  # other themes
    assert ThemeClassifier.from_bytes(b"garbage", THEMES) is None


def test_bad_jsonl_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"title": "x", "label": "tools"})
    path.write_text(f"{good}\n\n{good}\n{{not json\n", encoding="utf-8")
    with pytest.raises(CuratorError, match=r"line 4"):
        load_jsonl(path)
    path.write_text(f"{good}\n" + json.dumps({"title": "y", "label": "nope"}) + "\n")
    with pytest.raises(CuratorError, match=r"line 2: unknown theme 'nope'"):
        load_jsonl(path, known=["tools"])
    path.write_text(json.dumps({"title": "y"}) + "\n")
    with pytest.raises(CuratorError, match=r"line 1: missing 'label'"):
        load_jsonl(path)


def test_metrics_by_hand() -> None:
    result = metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert result["accuracy"] == 0.75
    per = result["per_theme"]
    assert per["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert per["b"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert result["macro_f1"] == pytest.approx((0.6667 + 0.8) / 2, abs=1e-3)
    assert result["confusion"] == {"a": {"a": 1, "b": 1}, "b": {"a": 0, "b": 2}}


def test_folds_are_stratified_and_cover_everything() -> None:
    labels = ["a"] * 10 + ["b"] * 5
    folds = stratified_folds(labels, 5)
    assert sorted(i for f in folds for i in f) == list(range(15))
    assert all(sum(1 for i in f if labels[i] == "b") == 1 for f in folds)


def test_run_evaluation_modes_on_fixture() -> None:
    rows = load_jsonl(FIXTURE)
    zero = run_evaluation(THEMES, rows)
    assert zero["mode"] == "zero-shot" and zero["macro_f1"] >= 0.75
    cv = run_evaluation(THEMES, rows, cv=3)
    assert cv["cv"] == 3 and cv["n"] == 12
    trained = run_evaluation(THEMES, rows, train=rows)
    assert trained["accuracy"] >= zero["accuracy"] - 0.1


def test_importing_the_classifier_is_light() -> None:
    code = ("import sys, curator.classify, curator.services\n"
            "print(sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_fast_column_mapper_agrees_with_featurize() -> None:
    rows = load_jsonl(FIXTURE)
    docs = [r.doc for r in rows] + [Doc(title="Open data open data", summary="open data tips",
                                        tags=["Open Data", "foi"], site="a.example",
                                        author="Ann", hint="tools")]
    model = ThemeClassifier.fit(THEMES, [Example(r.doc, r.label) for r in rows])
    assert model.linear is not None
    vocab = model.linear.vocab
    for doc in docs:
        expected = {vocab[k]: v for k, v in featurize(doc).items() if k in vocab}
        got = model.linear.mapper.columns(doc, doc.title_tokens(), doc.text_tokens())
        assert got == expected
        # columns come in first-seen order, position by position (scores sum in this order)
        order: dict[int, None] = {}
        for prefixes, toks in ((("t:", "w:"), doc.title_tokens()), (("w:",), doc.text_tokens())):
            for i, tok in enumerate(toks):
                names = [p + tok for p in prefixes]
                if i:
                    names += [f"{p}{toks[i - 1]} {tok}" for p in prefixes]
                order.update((vocab[k], None) for k in names if k in vocab)
        assert list(got)[:len(order)] == list(order)


def test_seed_reduced_to_a_bare_word_is_ignored() -> None:
    themes = [ThemeSpec("events", "Events", "", ("sign up", "zine fair")), ThemeSpec("other", "Other")]
    model = ThemeClassifier(themes)
    assert model.predict(Doc(title="Sign the petition")).theme == "other"
    hit = model.predict(Doc(title="The zine fairs are back"))
    assert hit.theme == "events" and "zine fair (title)" in hit.why


def test_cached_tokens_match_a_plain_scan() -> None:
    """`tokens` splits on whitespace and caches chunks; it must equal the regex scan it replaces."""
    from curator.classify.features import _WORD, _token

    texts = ["The Council's open-data tips: C++, e-mail & FOI (2024)... K\u212aelvin \u0130stanbul",
             "a\u00a0b\u2003c\u2028d\x1ce+f  ’quoted’ --dash-- .dot. ++plus++ 1,000 x/y/z",
             "https://example.org/a?b=c&d=e naïve café Ωmega résumé Straße", "", "   ",
             "Open Data open data OPEN DATA open  data\nopen\tdata"]
    for text in texts + texts:  # the second round answers from the chunk cache
        expected = [t for t in (_token(raw) for raw in _WORD.findall(text.lower())) if t]
        assert tokens(text) == expected


def test_phrase_finder_matches_a_left_to_right_scan() -> None:
    """Multi-word seeds are found in the order (and so the set order) of the scan they replace."""
    import random

    zero = ThemeClassifier(THEMES).zeroshot
    phrases = sorted(key for key in zero.index if len(key) > 1)
    pieces = [list(key) for key in phrases] + [[w] for key in phrases for w in key] + [["x"]]
    longest = max(len(key) for key in zero.index)
    rng = random.Random(5)
    found = 0
    for _ in range(400):
        toks = [w for piece in rng.choices(pieces, k=rng.randint(0, 30)) for w in piece]
        scan: list[str] = []
        for i in range(len(toks)):
            for n in range(2, longest + 1):
                key = " ".join(toks[i:i + n])
                if i + n <= len(toks) and key in zero.lookup and key not in scan:
                    scan.append(key)
        assert zero._phrases(toks) == scan
        found += len(scan)
    assert found > 1000


def test_domain_fast_path_agrees_with_urlsplit() -> None:
    from urllib.parse import urlsplit

    from curator.classify.features import domain_of

    def slow(url: str) -> str | None:
        try:
            host = urlsplit(url if "//" in url else "//" + url).hostname
        except ValueError:
            return None
        return host.removeprefix("www.") if host else None

    urls = ["https://www.Example.ORG/a?b#c", "http://a.b", "https://www./x", "https:///path",
            "https://user@host.org/", "https://host.org:8080/x", "https://[::1]/x", "http://a b/",
            "https://h\u00e9.org/x", "https://h.org\t/x", " https://lead.org/", "HTTPS://UP.ORG/",
            "https://q.org?x=1", "https://f.org#frag", "https://x.org/caf\u00e9", "example.org/p",
            "https://h.org\\x/y", "ftp://f.org/", "https://dot.org./", "https://a.org\n.b/"]
    for url in urls:
        assert domain_of(url) == slow(url), url
