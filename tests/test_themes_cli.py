"""`curator themes ...` and `curator classify` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from curator.cli import main
from curator.services import open_curator
from curator.store.tables import Feed, Post

pytestmark = pytest.mark.pg

FIXTURE = Path(__file__).parent / "fixtures" / "themes-small.jsonl"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def seed_posts() -> list[int]:
    cur = open_curator()
    with cur.context.db.write() as s:
        feed = Feed(url="https://a.example/feed")
        s.add(feed)
        s.flush()
        posts = [Post(feed_id=feed.id or 0, title=t, summary="", tags=tags) for t, tags in [
            ("Open data for residents", ["weeknotes"]), ("Agile service design", []),
            ("Twitter tips for comms teams", ["weeknotes"])]]
        s.add_all(posts)
        s.flush()
        ids = [p.id or 0 for p in posts]
    cur.close()
    return ids


def test_themes_list_json_and_text() -> None:
    code, out, _ = run("themes", "list", "--json")
    assert code == 0
    data = json.loads(out)
    assert [t["slug"] for t in data] == ["openness", "improvement", "tools", "other"]
    assert {"slug", "name", "description", "position", "seeds"} <= set(data[0])
    code, out, _ = run("themes", "list")
    assert code == 0 and "Cool tools" in out


def test_theme_round_trip() -> None:
    assert run("themes", "add", "events", "Events", "--seed", "zine fair, craft market")[0] == 0
    assert run("themes", "edit", "events", "--name", "Fairs", "--remove-seed", "craft market")[0] == 0
    assert run("themes", "reorder", "events")[0] == 0
    data = json.loads(run("themes", "list", "--json")[1])
    assert data[0] == {"slug": "events", "name": "Fairs", "description": "", "position": 0,
                       "seeds": ["zine fair"]}
    code, out, _ = run("themes", "remove", "events")
    assert code == 0 and "re-bucketed 0 posts" in out
    code, _, err = run("themes", "remove", "events")
    assert code == 1 and err.strip() == "curator: no theme 'events'"
    assert run("themes", "add", "Bad Slug", "x")[0] == 1


def test_rules_dry_run_add_list_remove_and_classify() -> None:
    ids = seed_posts()
    code, out, _ = run("classify")
    assert code == 0 and "changed the theme of 3 posts" in out
    code, out, _ = run("themes", "rules", "add", "tag", "weeknotes", "other", "--dry-run")
    assert code == 0 and out.startswith("dry run:") and "would move 2" in out
    assert json.loads(run("themes", "rules", "list", "--json")[1]) == []
    code, out, _ = run("themes", "rules", "add", "tag", "weeknotes", "other", "--json")
    result = json.loads(out)
    assert result["moved"] == 2 and rules_ids() == [result["rule"]["id"]]
    rules = json.loads(run("themes", "rules", "list", "--json")[1])
    assert rules[0]["pattern"] == "weeknotes" and rules[0]["theme"] == "other"
    cur = open_curator()
    with cur.context.db.read() as s:
        post = s.get(Post, ids[0])
        assert post is not None and (post.theme, post.theme_source) == ("other", "rule")
    cur.close()
    code, out, _ = run("themes", "rules", "remove", str(result["rule"]["id"]))
    assert code == 0 and "2 posts changed theme" in out
    assert run("classify", "--all", "--dry-run")[1].startswith("would change the theme of 0")
    assert run("classify", "--since", "not-a-date")[0] == 1
    assert run("themes", "rules", "add", "colour", "x", "tools")[0] == 2  # usage error


def rules_ids() -> list[int]:
    return [rule["id"] for rule in json.loads(run("themes", "rules", "list", "--json")[1])]


def test_retrain_json() -> None:
    code, out, _ = run("themes", "retrain", "--json")
    assert code == 0 and json.loads(out)["n_examples"] == 0


def test_eval_json_shape_on_fixture() -> None:
    code, out, _ = run("themes", "eval", str(FIXTURE), "--json")
    assert code == 0
    data = json.loads(out)
    assert {"accuracy", "macro_f1", "per_theme", "confusion"} <= set(data)
    assert set(data["per_theme"]["tools"]) == {"precision", "recall", "f1", "support"}
    assert data["per_theme"]["tools"]["support"] == 3
    assert sum(sum(row.values()) for row in data["confusion"].values()) == 12
    assert data["macro_f1"] >= 0.75
    code, out, _ = run("themes", "eval", str(FIXTURE), "--cv", "3")
    assert code == 0 and "3-fold cross-validation: 12 posts" in out and "confusion" in out
    code, out, _ = run("themes", "eval", str(FIXTURE), "--train", str(FIXTURE))
    assert code == 0 and "trained on 12 posts" in out


def test_eval_bad_line_exits_1_with_line_number(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()[:2] + ['{"title": "x", "label": ']
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run("themes", "eval", str(bad))
    assert code == 1 and out == ""
    assert err.startswith("curator: ") and "line 3" in err and len(err.strip().splitlines()) == 1
    assert run("themes", "eval", str(FIXTURE), "--cv", "1")[0] == 1


def test_doubtful_lists_low_confidence_posts() -> None:
    cur = open_curator()
    with cur.context.db.write() as s:
        feed = Feed(url="https://a.example/feed")
        s.add(feed)
        s.flush()
        s.add(Post(feed_id=feed.id or 0, title="Zxqv blorp", summary="", tags=[]))
    cur.close()
    code, out, _ = run("classify")
    assert code == 0 and "1 posts have low confidence" in out
    code, out, _ = run("themes", "doubtful", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["title"] for r in rows] == ["Zxqv blorp"]
    assert rows[0]["confidence"] < 0.5 and rows[0]["why"]
    assert "Zxqv blorp" in run("themes", "doubtful")[1]
