"""The interactive questionnaire, driven through its `Asker` seam, and the staffing shorthand."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.errors import UsageError
from strategyfirst.plan import loads
from strategyfirst.plan.readiness import LISTENING_WEEKS, Bound
from strategyfirst.readiness import ask_answers, parse_day_schedule, staffing_blocks
from strategyfirst.readiness.questions import Kind

EXAMPLE = (Path(__file__).resolve().parents[2] / "src/strategyfirst/plan/example.yaml").read_text()


def test_parse_day_schedule() -> None:
    assert parse_day_schedule("09-12x2, 13-17") == [("09-12", 2.0), ("13-17", 1.0)]
    assert parse_day_schedule(" 8-20 × 1.5 ; 20:00-24:00*3") == [("08-20", 1.5), ("20-24", 3.0)]
    assert parse_day_schedule("") == []
    for bad in ("9 to 5", "17-09", "09-17x0", "25-26"):
        with pytest.raises(ValueError):
            parse_day_schedule(bad)


def test_staffing_blocks_group_days_with_the_same_shift() -> None:
    per_day = {d: [("09-17", 2.0)] for d in ("mon", "tue", "wed", "thu", "fri")}
    per_day["sat"] = [("10-14", 1.0)]
    per_day["mon"] = [("09-17", 2.0), ("17-20", 1.0)]
    assert staffing_blocks(per_day) == [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": "09-17", "people": 2.0},
        {"days": ["mon"], "hours": "17-20", "people": 1.0},
        {"days": ["sat"], "hours": "10-14", "people": 1.0},
    ]


class Script:
    """Answers by prompt text; records the defaults it was offered."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers, self.defaults = answers, {}
        self.bounds: dict[str, Bound | None] = {}

    def __call__(self, prompt: str, kind: Kind, default: str, choices: tuple[str, ...], help: str,
                 bound: Bound | None) -> str:
        self.defaults[prompt] = default
        self.bounds[prompt] = bound
        return next((v for k, v in self.answers.items() if prompt.startswith(k)), default)


def test_ask_answers_builds_the_readiness_section() -> None:
    plan = loads(EXAMPLE).plan
    script = Script({"Who is in charge": "Jane", "How many hours": "10", "How does leadership": "committed",
                     "Did the team listen": "yes", "For how many weeks": "5", "How many minutes": "6",
                     "Monday": "09-12x2, 13-17", "Tuesday": "09-17", "Saturday": "10-14",
                     "Does the budget": "partly", "On which date": "2026-01-15"})
    answers = ask_answers(None, plan=plan, asker=script)
    assert script.defaults["Who is in charge of the dialogue (one named person)?"] == plan.owner
    assert answers.answers() == {
        "ownership": {"owner": "Jane", "hours_per_week": 10.0},
        "leadership": {"support": "committed"},
        "listening": {"done": True, "weeks": 5.0},
        "response": {"handling_minutes": 6.0, "timezone": "UTC", "staffing": [
            {"days": ["mon"], "hours": "09-12", "people": 2.0},
            {"days": ["mon"], "hours": "13-17", "people": 1.0},
            {"days": ["tue"], "hours": "09-17", "people": 1.0},
            {"days": ["sat"], "hours": "10-14", "people": 1.0}]},
        "measurement": {"as_of": "2026-01-15"},
        "budget": {"lasts_horizon": "partly"},
    }
    # Asking again offers the previous answers as defaults.
    again = Script({})
    assert ask_answers(answers, plan=plan, asker=again).answers() == answers.answers()
    assert again.defaults["Monday: who is on duty to answer?"] == "09-12x2, 13-17"


def test_bad_typed_answer_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"ownership\.hours_per_week"):
        ask_answers(None, asker=Script({"How many hours": "ten"}))
    with pytest.raises(UsageError, match="Monday"):
        ask_answers(None, asker=Script({"Monday": "all day"}))


def test_an_absurd_number_is_a_usage_error_naming_its_question() -> None:
    script = Script({"For how many weeks": "1e9"})
    with pytest.raises(UsageError) as info:
        ask_answers(None, asker=script)
    assert info.value.message == "listening.weeks: give a number of weeks from 0 to 520, ten years"
    assert script.bounds["For how many weeks?"] == LISTENING_WEEKS   # the prompt can refuse it as typed
    for typed, said in (("200", "give a number of hours from 0 to 168"), ("-1", "give a number of hours"),
                        ("nan", "give a number of hours")):
        with pytest.raises(UsageError, match=f"^ownership.hours_per_week: {said}"):
            ask_answers(None, asker=Script({"How many hours": typed}))
    with pytest.raises(UsageError, match="Wednesday: '09-17x2000': give a number of people above 0 and at most"):
        ask_answers(None, asker=Script({"Wednesday": "09-17x2000"}))


def test_the_terminal_prompt_refuses_an_absurd_number_as_typed() -> None:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from strategyfirst.readiness.prompt import questionary_asker

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        # 1e9 is refused where it is typed (Enter does nothing); erased and replaced, 6 is taken
        pipe.send_text("1e9\r" + "\x7f" * 3 + "6\r")
        assert questionary_asker("For how many weeks?", "number", "", (), "", LISTENING_WEEKS) == "6"


def test_questionary_prompts_answer_with_arrow_keys() -> None:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from strategyfirst.readiness.prompt import SKIP, questionary_asker

    def typed(keys: str, *question: object) -> str:
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            pipe.send_text(keys)
            return questionary_asker(*question)  # type: ignore[arg-type]

    down, enter = "\x1b[B", "\r"
    assert typed(down + enter, "Leadership?", "choice", "", ("committed", "tolerant", "sceptical"), "") \
        == "tolerant"
    assert typed(down + enter, "Listened?", "yes_no", "", (), "") == "no"
    assert typed(down + down + enter, "Listened?", "yes_no", "", (), "") == ""      # SKIP
    assert SKIP not in typed(enter, "Listened?", "yes_no", "yes", (), "")
    assert typed("09-12x2" + enter, "Monday?", "staffing", "", (), "") == "09-12x2"
    assert typed(enter, "Owner?", "text", "Jane", (), "") == "Jane"                  # default kept
