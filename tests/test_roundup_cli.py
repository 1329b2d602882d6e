"""`curator roundup ...` from a shell: the whole flow, JSON output and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from roundup_helpers import add_feed, add_post, make_curator

from curator.cli import main

pytestmark = pytest.mark.pg


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]  # noqa: A002
    return CliRunner().invoke(main, ["roundup", *args], input=input)


def test_cli_flow_from_new_to_publish(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cur = make_curator()
    feed = add_feed(cur, "https://preston.example/feed", person="Tanya Ashworth",
                    org="Preston Council")
    first = add_post(cur, feed, "Vote like an Egyptian!", "https://preston.example/vote",
                     theme="openness")
    second = add_post(cur, feed, "Ballot boxes", "https://preston.example/boxes",
                      theme="openness")
    cur.close()

    assert run("new", "--title", "March", "--since", "2020-01-01").exit_code == 0
    result = run("pick", str(first), str(second))
    assert result.exit_code == 0 and "picked 2" in result.output
    shown = json.loads(run("show", "--json").output)
    openness = next(s for s in shown["sections"] if s["key"] == "openness")
    item_ids = [i["id"] for i in openness["items"]]
    assert run("note", str(item_ids[0]), "going viral to promote voting").exit_code == 0
    assert run("move", str(item_ids[1]), "--up").exit_code == 0
    assert run("move", str(item_ids[0]), "--section", "tools", "--position", "1").exit_code == 0
    assert run("blurb", str(item_ids[1]), "See [the boxes]").exit_code == 0
    assert run("section", "add", "Jobs", "--text", "One role").exit_code == 0
    assert run("section", "rename", "jobs", "Vacancies").exit_code == 0
    assert run("section", "reorder", "vacancies", "1").exit_code == 0
    assert run("section", "text", "the-big-news", "-", input="Big *news*\n").exit_code == 0
    assert run("section", "remove", "can-you-help").exit_code == 0
    assert run("link", "https://example.org/x", "Manual", "--person", "Ann",
               "--section", "other").exit_code == 0
    result = run("show")
    assert result.exit_code == 0
    assert "Vote like an Egyptian! from Tanya Ashworth of Preston Council" in result.output
    assert "going viral" in result.output and "Can you help" not in result.output
    md = run("export", "--format", "md")
    assert md.exit_code == 0 and "## Vacancies" in md.output and "Big \\*news\\*" in md.output
    out = tmp_path / "r.txt"
    assert run("export", "--format", "txt", "-o", str(out)).exit_code == 0
    assert "See the boxes" in out.read_text(encoding="utf-8")
    assert run("unpick", "--item", str(item_ids[1])).exit_code == 0
    result = run("publish", "--no-check")
    assert result.exit_code == 0 and "published March (#1) with 2 items" in result.output
    listed = json.loads(run("list", "--json").output)
    assert listed[0]["status"] == "published" and listed[0]["item_count"] == 2
    assert "published" in run("list").output


def test_cli_errors_are_one_line() -> None:
    for args in (["pick", "1"], ["publish"], ["show"], ["note", "5", "x"],
                 ["export", "--edition", "3"]):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("curator: ")
    assert run("new").exit_code == 0
    result = run("pick", "42")
    assert result.exit_code == 1 and "no post with id 42" in result.stderr
    result = run("link", "javascript:alert(1)", "x")
    assert result.exit_code == 1 and "not http or https" in result.stderr
    result = run("new")
    assert result.exit_code == 1 and "still a draft" in result.stderr
    assert run("export", "--format", "pdf").exit_code == 2


def test_every_roundup_command_has_help() -> None:
    for args in (["--help"], ["new", "--help"], ["section", "--help"], ["section", "text",
                                                                         "--help"],
                 ["export", "--help"], ["check-links", "--help"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage:" in result.output


def test_templates_copy_then_edit_changes_the_export() -> None:
    result = run("templates")
    assert result.exit_code == 0 and result.output.count("bundled") == 4
    result = run("templates", "--copy")
    assert result.exit_code == 0 and result.output.count("yours") == 4
    cur = make_curator()
    md = cur.locations.templates_dir / "edition.md.j2"
    md.write_text("Edition: {{ edition.title }}\n", encoding="utf-8")
    cur.roundup.new_edition(title="Mine")
    assert cur.roundup.export_edition("md") == "Edition: Mine\n"
    run("templates", "--copy")  # never overwrites an edited template
    assert md.read_text(encoding="utf-8") == "Edition: {{ edition.title }}\n"
