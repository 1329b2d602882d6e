"""Theme classifier speed: predictions per second, retraining time, import cost.

    python benchmarks/bench_classify.py [--posts 20000] [--train 5000]

Posts are synthetic but shaped like feed entries (a 6-12 word title, a 30-50 word summary, 0-3
tags, an author and a site), with words drawn at their real frequencies from the labelled dev posts
(../shared/data/themes-dev.jsonl; a built-in public-sector word list when it is absent). Training labels are the
zero-shot predictions with 25% noise, so the linear model has real work to do. Wall and CPU time are both
shown: on a busy shared machine CPU time is the fairer "one core" figure. Targets: classify
>= 5,000 posts/s on one core; retrain from 5,000 labelled posts in < 2 s; importing
`curator.classify` loads no scikit-learn/numpy.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

from curator.classify import Doc, Example, ThemeClassifier, ThemeSpec
from curator.classify.themes_default import DEFAULT_THEMES

_WORD_TEXT = """council councils data open service services design research digital tools weeknotes
housing library consultation transparency prototype accessibility dashboard volunteers community
spreadsheet engagement roadmap procurement forms mapping health training skills budget charity
policy users residents tenants patients twitter facebook youtube app website blog blogging comms
social media officer local government public sector team manager leadership culture change agile
strategy innovation improvement democracy councillors election vote petition foi hyperlocal news
event unconference camp job career leaving award christmas funny video webcast livestream meeting
planning committee savings cuts customer channel shift measure evidence staff people week year
lessons learned good practice case study guide tips how to review launch beta open source github
api map survey feedback complaint trust citizens neighbourhood inclusion young people schools
"""
WORDS = _WORD_TEXT.split()
TAGS = ["localgov", "open data", "social media", "digital", "comms", "foi", "events", "twitter"]


def vocabulary() -> list[str]:
    """Words with their real frequencies from the labelled dev posts when present (../shared)."""
    dev = Path(__file__).resolve().parents[2] / "shared" / "data" / "themes-dev.jsonl"
    if not dev.is_file():
        return WORDS
    words: list[str] = []
    for line in dev.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        words += f"{row.get('title', '')} {row.get('summary', '')}".split()
    return words or WORDS


def make_docs(n: int, seed: int = 7) -> list[Doc]:
    rng = random.Random(seed)
    words = vocabulary()
    docs = []
    for i in range(n):
        docs.append(Doc(title=" ".join(rng.choices(words, k=rng.randint(6, 12))).capitalize(),
                        summary=" ".join(rng.choices(words, k=rng.randint(30, 50))) + ".",
                        tags=rng.sample(TAGS, rng.randint(0, 3)),
                        author=f"Author {i % 300}", site=f"blog{i % 200}.example.org"))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--train", type=int, default=5000)
    args = parser.parse_args()

    code = ("import sys, time; t = time.perf_counter(); import curator.classify; "
            "d = time.perf_counter() - t; "
            "print(d, sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split(" ", 1)
    print(f"import curator.classify: {float(out[0]) * 1000:.0f} ms, heavy modules loaded: {out[1].strip()}")

    themes = [ThemeSpec(str(t["slug"]), str(t["name"]), str(t["description"]),
                        tuple(t["seeds"])) for t in DEFAULT_THEMES]  # type: ignore[arg-type]
    zero = ThemeClassifier(themes)
    train_docs = make_docs(args.train, seed=1)
    rng = random.Random(3)
    slugs = [t.slug for t in themes]
    labels = [zero.predict(d).theme if rng.random() > 0.25 else rng.choice(slugs)
              for d in train_docs]
    examples = [Example(d, lab, "user" if i % 10 == 0 else "edition")
                for i, (d, lab) in enumerate(zip(train_docs, labels, strict=True))]

    t = time.perf_counter()
    import sklearn.linear_model  # noqa: F401  (one-off import cost, reported separately)
    sk_import = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    model = ThemeClassifier.fit(themes, examples)
    fit_s, fit_cpu = time.perf_counter() - t, time.process_time() - cpu
    print(f"retrain from {len(examples)} labelled posts: {fit_s:.2f} s wall, {fit_cpu:.2f} s CPU "
          f"(+ {sk_import:.2f} s to import scikit-learn the first time); "
          f"{len(model.linear.names) if model.linear else 0} weighted features, "
          f"{len(model.memory)} remembered corrections")

    docs = make_docs(args.posts, seed=2)
    for name, clf in (("zero-shot", zero), ("trained", model)):
        clf.predict_many(docs[:200])  # first-use costs (numpy import, caches) are not throughput
        t, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(docs), 500):  # the service classifies in batches of 500
            clf.predict_many(docs[start:start + 500])
        dt, dcpu = time.perf_counter() - t, time.process_time() - cpu
        print(f"classify ({name}): {len(docs) / dt:,.0f} posts/s wall, {len(docs) / dcpu:,.0f} "
              f"posts/s of CPU time ({len(docs)} posts in {dt:.2f} s wall, {dcpu:.2f} s CPU)")
    blob = model.to_bytes()
    t = time.perf_counter()
    ThemeClassifier.from_bytes(blob, themes)
    print(f"stored model: {len(blob) / 1024:.0f} KiB, loads in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
