"""Money, energy and last heard from on the command line: ``log`` with amounts, ``money``,
``people important`` / ``quiet`` and what ``analyze --person`` shows beside the balance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reciprocity.cli import app

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALEX = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at 80 columns when not on a terminal; keep lines whole for asserts."""
    from rich.console import Console

    import reciprocity.cli.commands as commands
    import reciprocity.cli.guide_commands as guide_commands
    import reciprocity.cli.money_commands as money_commands

    for module in (commands, guide_commands, money_commands):
        monkeypatch.setattr(module, "out", Console(width=250))
    monkeypatch.setattr(guide_commands, "err", Console(stderr=True, width=250))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "money.sqlite"


def run(db_path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db_path), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("amount", ["-5", "0"])
def test_lent_below_zero_names_options_that_exist(db_path: Path, amount: str) -> None:
    code, out, err = run(db_path, "log", "Alex", "--new", "--lent", amount)
    assert code != 0
    said = " ".join((out + err).split())
    assert "--lent takes an amount above zero" in said
    assert "--borrowed" in said
    # Issue 19: it used to say "say who paid with 'me' or 'them'", which --lent cannot take.
    assert "'me' or 'them'" not in said
    code, out, err = run(db_path, "log", "Alex", "--new", "--borrowed", "-3")
    assert code != 0
    assert "--lent" in " ".join((out + err).split())


def test_lent_borrowed_paid_back_and_settle_keep_a_running_balance(db_path: Path) -> None:
    code, out, _ = run(
        db_path, "log", "Alex", "--new", "--lent", "40", "--currency", "EUR", "--note", "concert",
        "--date", "2024-03-02",
    )  # fmt: skip
    assert code == 0, out
    assert "Alex owes you €40.00 since March 2024." in out
    code, out, _ = run(db_path, "log", "Alex", "--new", "--paid-back", "15.50", "--currency", "eur")
    assert code == 0, out
    assert "Alex owes you €24.50 since March 2024." in out
    code, out, _ = run(
        db_path,
        "log",
        "Jordan",
        "--new",
        "--borrowed",
        "12",
        "--currency",
        "GBP",
        "--date",
        "2024-04-01",
    )
    assert "You owe Jordan £12.00 since April 2024." in out
    code, out, err = run(db_path, "log", "Kim", "--new", "--paid-back", "5", "--currency", "EUR")
    assert code != 0
    assert "--by me or --by them" in " ".join((out + err).split())
    code, out, _ = run(db_path, "money")
    assert code == 0
    assert "• Alex owes you €24.50 since March 2024" in out
    assert "• You owe Jordan £12.00 since April 2024" in out
    assert "favours" not in out
    code, out, _ = run(db_path, "log", "Jordan", "--new", "--settle", "--currency", "GBP")
    assert code == 0, out
    assert "Settled with Jordan (GBP)." in out
    code, out, _ = run(db_path, "money", "--json")
    rows = {r["person"]: r for r in json.loads(out)["balances"]}
    assert rows["Alex"]["owed_minor"] == 2450
    assert rows["Alex"]["currency"] == "EUR"
    assert rows["Alex"]["since"].startswith("2024-03-02")
    assert rows["Jordan"]["owed_minor"] == 0
    code, out, _ = run(db_path, "journal")
    assert "€40.00" in out
    assert "they paid back" in out
    assert "favours" not in out


def test_set_currency_is_used_when_none_is_named(db_path: Path) -> None:
    code, out, _ = run(db_path, "money", "--set-currency", "gbp")
    assert code == 0
    assert "now in GBP" in out
    code, out, _ = run(db_path, "log", "Alex", "--new", "--lent", "7")
    assert "Alex owes you £7.00" in out


def test_analyze_person_shows_energy_money_and_last_heard(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam", "--tz", "Europe/London")
    for day, energy in (("2024-03-02", "2"), ("2024-03-13", "1"), ("2024-03-20", "2")):
        run(db_path, "log", "Alex", "--new", "--energy", energy, "--date", day)
    run(
        db_path, "log", "Alex", "--new", "--lent", "40", "--currency", "EUR", "--date", "2024-03-02"
    )
    code, out, _ = run(db_path, "analyze", "--person", "Alex")
    assert code == 0, out
    assert "How you feel afterwards: lifts you: +1.7 on average over 3 entries" in out
    assert "Money: Alex owes you €40.00 since March 2024" in out
    assert "Alex last wrote to you" in out
    assert "(2024-03-13)" in out
    assert "You last started a conversation" in out
    # Energy is a scale of its own: never a row of the give and take, never a share.
    assert "energy" not in out.split("Beside the give and take")[0].lower()


def test_people_important_and_quiet(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam", "--tz", "Europe/London")
    code, out, _ = run(db_path, "people", "quiet")
    assert "No one is marked as important" in out
    code, out, _ = run(db_path, "people", "important", "alex")
    assert code == 0
    assert "Alex is marked as important" in out
    code, out, _ = run(db_path, "people", "quiet", "--json")
    [alex] = json.loads(out)["gone_quiet"]
    assert alex["person"] == "Alex"
    assert alex["days_quiet"] > 30
    code, out, _ = run(db_path, "people", "quiet")
    assert "• Alex: too few contacts yet to know your usual rhythm;" in out
    run(db_path, "people", "important", "Alex", "--off")
    code, out, _ = run(db_path, "people", "quiet", "--json")
    assert json.loads(out)["gone_quiet"] == []


def test_journal_edit_changes_the_amount_exactly(db_path: Path) -> None:
    run(db_path, "log", "Alex", "--new", "--lent", "40", "--currency", "EUR")
    code, out, _ = run(db_path, "journal", "edit", "1", "--amount", "42.10", "--currency", "GBP")
    assert code == 0, out
    code, out, _ = run(db_path, "money")
    assert "Alex owes you £42.10" in out
    code, out, err = run(db_path, "journal", "edit", "1", "--amount", "-1")
    assert code != 0
    assert "--amount takes an amount above zero" in " ".join((out + err).split())


def test_analyze_json_has_the_same_figures_beside_the_balance(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam", "--tz", "Europe/London")
    run(db_path, "log", "Alex", "--new", "--energy", "-1", "--date", "2024-03-02")
    run(
        db_path,
        "log",
        "Alex",
        "--new",
        "--borrowed",
        "12",
        "--currency",
        "GBP",
        "--date",
        "2024-04-01",
    )
    code, out, _ = run(db_path, "analyze", "--json")
    assert code == 0
    [alex] = json.loads(out)["beside"]
    assert alex["energy"]["entries"] == 1
    assert alex["energy"]["reading"] == "too few entries"
    assert alex["money"][0]["owed_minor"] == -1200
    assert alex["money"][0]["says"] == "you owe Alex £12.00 since April 2024"
    assert alex["last_heard"]["last_from_them"].startswith("2024-03-13")
    # No energy anywhere in the give and take.
    balance = json.dumps({k: v for k, v in json.loads(out).items() if k != "beside"})
    assert '"energy"' not in balance
