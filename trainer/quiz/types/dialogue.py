"""The role-play dialogue: a short branching conversation with a customer.

The customer speaks (a turn); the learner picks one of 2 to 4 replies; each reply earns 0 to
2 points, carries feedback, and leads to the next turn or ends the conversation, well or
badly. The score is the points of the path taken over those of the best path. YAML:

    market: B2B                 # the market the conversation happens in
    situation: …                # what the learner reads first
    turns:                      # the conversation starts at the first turn
      - id: start
        customer: …
        replies:
          - {text: …, points: 2, feedback: …, next: budzet}
          - {text: …, points: 0, feedback: …, end: bad, closing: …}

Every path ends, no turn is unreachable, the longest path has 3 to 6 turns, and at least one
path ends well and one badly. GIFT cannot hold a dialogue.
"""

import random
from collections.abc import Callable, Iterator
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l

from trainer.content.fields import KEY, Fields
from trainer.content.model import QuestionData, ReplyData, TurnData, turns_json
from trainer.content.yamlfile import Mapping, YamlError, clipped, parse_yaml, quoted
from trainer.quiz.types.base import Grade, InvalidAnswer, QuestionRow, QuestionType, Step
from trainer.taxonomy import Taxonomy

TURN_KEYS = {"id", "customer", "replies"}
REPLY_KEYS = {"text", "points", "feedback", "next", "end", "closing"}
ENDINGS = ("good", "bad")
MIN_TURNS, MAX_TURNS = 3, 6
# A path: the replies taken, each as (turn id, reply index).
Path = list[tuple[str, int]]


class Dialogue(QuestionType):
    """A branching conversation, answered one reply at a time."""

    name = "dialogue"
    label = _l("role-play dialogue")
    new_label = _l("New role-play dialogue")
    template = "quiz/types/dialogue.html"
    steps = (Step("turn", _l("good ending")),)
    yaml_keys = frozenset({"market", "situation", "turns"})
    gift = False
    branches = True
    authored_options = False

    def parse(self, fields: Fields, taxonomy: Taxonomy) -> dict[str, Any]:
        """Market, situation and the turns, checked as a conversation."""
        turns = _parse_turns(fields)
        if turns:
            _check_conversation(turns, fields)
        return {
            "market": fields.choice("market", taxonomy.category_keys),
            "situation": fields.text("situation"),
            "turns": turns,
        }

    def yaml(self, question: QuestionData) -> tuple[dict[str, Any], dict[str, Any]]:
        """`market` before `signals`; the situation and turns after."""
        return {"market": question.market}, {
            "situation": question.situation,
            "turns": turns_json(question.turns),
        }

    def editor_mapping(self, values: dict[str, Any]) -> dict[str, Any]:
        """Market, situation, and the turns as the YAML text the trainer wrote."""
        return {
            "market": (values.get("market") or "").strip(),
            "situation": (values.get("situation") or "").replace("\r\n", "\n").strip(),
            "turns": (values.get("turns") or "").replace("\r\n", "\n"),
        }

    def editor_values(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """The turns as YAML text, for the editor's text box."""
        turns = snapshot.get("turns") or []
        text = yaml.safe_dump(turns, allow_unicode=True, sort_keys=False, width=90)
        return {"turns": text if turns else ""}

    def accept(
        self, question: QuestionRow, answer: dict[str, Any], step: str, value: str,
        taxonomy: Taxonomy,
    ) -> dict[str, Any]:  # fmt: skip
        """Step `turn` takes `<turn id>:<reply number>` for the turn the conversation is at."""
        turns = _turns(question)
        path = [tuple(taken) for taken in answer.get("path", [])]
        turn_key, _, index = value.partition(":")
        current = _current(turns, path)
        if step != "turn" or current is None or turn_key != current["id"]:
            raise InvalidAnswer(step)
        if not index.isdigit() or int(index) >= len(current["replies"]):
            raise InvalidAnswer(step)
        return {"path": [*map(list, path), [turn_key, int(index)]]}

    def answer_steps(self, answer: dict[str, Any]) -> list[tuple[str, str]]:
        """One `turn` step per reply taken."""
        return [("turn", f"{key}:{index}") for key, index in answer.get("path", [])]

    def is_complete(self, question: QuestionRow, answer: dict[str, Any]) -> bool:
        """Whether the conversation has reached an end."""
        path = [tuple(taken) for taken in answer.get("path", [])]
        return bool(path) and _current(_turns(question), path) is None

    def grade(self, question: QuestionRow, answer: dict[str, Any]) -> Grade:
        """The points of the path taken, out of the best path's; right if it ended well."""
        turns = _turns(question)
        path = [tuple(taken) for taken in answer.get("path", [])]
        replies = [turns[key]["replies"][index] for key, index in path]
        ended_well = bool(replies) and replies[-1].get("end") == "good"
        best = max(sum(_points(turns, p)) for p in _paths(turns))
        earned = min(sum(int(reply["points"]) for reply in replies), best)
        return Grade(earned, best, {"turn": ended_well})

    def xapi(
        self, question: QuestionRow, answer: dict[str, Any], taxonomy: Taxonomy
    ) -> tuple[dict[str, Any], str]:
        """An `other` interaction whose response is the path: `start:1[,]budzet:0`."""
        turns = _turns(question)
        best = max(_paths(turns), key=lambda path: sum(_points(turns, path)))
        spell = "[,]".join
        response = spell(f"{key}:{index}" for key, index in answer.get("path", []))
        return {
            "interactionType": "other",
            "correctResponsesPattern": [spell(f"{key}:{index}" for key, index in best)],
        }, response

    def simulate(
        self, question: QuestionRow, rng: random.Random, right: Callable[[str], bool],
        taxonomy: Taxonomy, lure: float,
    ) -> dict[str, Any]:  # fmt: skip
        """At each turn the best reply, or (most often the tempting) another."""
        turns = _turns(question)
        path: Path = []
        while (turn := _current(turns, path)) is not None:
            points = [int(reply["points"]) for reply in turn["replies"]]
            best = points.index(max(points))
            others = [n for n in range(len(points)) if n != best]
            choice = best if right("turn") or not others else others[int(lure * len(others))]
            path.append((turn["id"], choice))
        return {"path": [list(taken) for taken in path]}

    def conversation(self, question: QuestionRow, answer: dict[str, Any]) -> dict[str, Any]:
        """For templates: the exchanges so far, the turn to answer (None once ended), and how
        it ended (`good` or `bad`) with the customer's closing words."""
        turns = _turns(question)
        path = [tuple(taken) for taken in answer.get("path", [])]
        exchanges = [
            {"customer": turns[key]["customer"], **turns[key]["replies"][index]}
            for key, index in path
        ]
        current = _current(turns, path)
        last = exchanges[-1] if exchanges and current is None else {}
        return {
            "exchanges": exchanges, "current": current, "ending": last.get("end"),
            "closing": last.get("closing", ""), "state": {"path": [list(p) for p in path]},
        }  # fmt: skip

    def branch_counts(
        self, question: QuestionRow, answers: list[dict[str, Any]]
    ) -> list[tuple[str, str, int]]:
        """How many took each reply: (customer's line, reply, count), in conversation order."""
        turns = _turns(question)
        counts = {
            (key, index): 0 for key, turn in turns.items() for index in range(len(turn["replies"]))
        }
        for answer in answers:
            for key, index in answer.get("path", []):
                if (key, index) in counts:
                    counts[key, index] += 1
        return [
            (turns[key]["customer"], turns[key]["replies"][index]["text"], count)
            for (key, index), count in counts.items()
        ]


TYPE = Dialogue()


def _turns(question: QuestionRow) -> dict[str, dict[str, Any]]:
    """The question's turns by id, in their order (the first is where it starts)."""
    return {turn["id"]: turn for turn in (question.details or {}).get("turns", [])}


def _current(turns: dict[str, dict[str, Any]], path: Path) -> dict[str, Any] | None:
    """The turn the conversation is at after `path`; None once it has ended."""
    if not path:
        return next(iter(turns.values()), None)
    key, index = path[-1]
    reply = turns[key]["replies"][index]
    return turns[reply["next"]] if reply.get("next") else None


def _paths(turns: dict[str, dict[str, Any]], path: Path | None = None) -> Iterator[Path]:
    """Every path from the first turn to an end (a checked dialogue has no cycles)."""
    path = path or []
    turn = _current(turns, path)
    if turn is None:
        yield path
        return
    for index in range(len(turn["replies"])):
        yield from _paths(turns, [*path, (turn["id"], index)])


def _points(turns: dict[str, dict[str, Any]], path: Path) -> list[int]:
    return [int(turns[key]["replies"][index]["points"]) for key, index in path]


# Reading and checking the turns


def _parse_turns(fields: Fields) -> tuple[TurnData, ...]:
    """The `turns` list; from the editor it comes as YAML text, read here with its lines."""
    raw, path = fields.mapping.get("turns"), fields.path
    if isinstance(raw, str):
        try:
            raw, path = parse_yaml(raw), "turns"
        except YamlError as error:
            fields.problem("turns", f"malformed YAML at line {error.line}: {error}")
            return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(t, Mapping) for t in raw):
        fields.problem("turns", "required: a list of turns, each with id, customer and replies")
        return ()
    turns = []
    for item in raw:
        turn = Fields(path, item, fields.problems, fields.line_offset if path != "turns" else 0)
        turn.unknown(TURN_KEYS)
        replies = item.get("replies")
        if not isinstance(replies, list) or not all(isinstance(r, Mapping) for r in replies):
            turn.problem("replies", "required: a list of 2 to 4 replies")
            replies = []
        elif not 2 <= len(replies) <= 4:
            turn.problem("replies", f"needs 2 to 4 replies, has {len(replies)}")
        parsed = tuple(
            _parse_reply(Fields(turn.path, reply, turn.problems, turn.line_offset))
            for reply in replies
        )
        turns.append(TurnData(turn.pattern("id", KEY, "turn id"), turn.text("customer"), parsed))
    return tuple(turns)


def _parse_reply(reply: Fields) -> ReplyData:
    reply.unknown(REPLY_KEYS)
    leads, ends = "next" in reply.mapping, "end" in reply.mapping
    if leads == ends:
        reply.problem("next", "give either next (a turn id) or end (good or bad)")
    if "closing" in reply.mapping and not ends:
        reply.problem("closing", "only a reply that ends the conversation has closing words")
    return ReplyData(
        text=reply.text("text"),
        feedback=reply.text("feedback"),
        points=reply.integer("points", 0, 2) or 0,
        next=reply.text("next", required=False) or None,
        end=reply.choice("end", ENDINGS, required=False),
        closing=reply.text("closing", required=False),
    )


def _check_conversation(turns: tuple[TurnData, ...], fields: Fields) -> None:
    """Every reply leads somewhere, every turn is reached, every path ends in time."""
    keys = [turn.key for turn in turns]
    if len(set(keys)) != len(keys):
        fields.problem("turns", "turn ids must be unique")
        return
    for turn in turns:
        for reply in turn.replies:
            if reply.next and reply.next not in keys:
                turn_key, unknown = quoted(turn.key), quoted(reply.next)
                fields.problem("turns", f"turn {turn_key} leads to an unknown turn {unknown}")
                return
    graph = {turn["id"]: turn for turn in turns_json(turns)}
    if _has_cycle(graph):
        fields.problem("turns", "the conversation goes round in a circle; every path must end")
        return
    paths = list(_paths(graph))
    reached = {key for path in paths for key, _ in path}
    if unreached := [key for key in keys if key not in reached]:
        fields.problem("turns", f"no path reaches turn(s) {clipped(', '.join(unreached))}")
    longest = max(len(path) for path in paths)
    if not MIN_TURNS <= longest <= MAX_TURNS:
        fields.problem(
            "turns", f"the longest path has {longest} turns; give it {MIN_TURNS} to {MAX_TURNS}"
        )
    endings = {graph[key]["replies"][index].get("end") for key, index in (p[-1] for p in paths)}
    if endings != set(ENDINGS):
        fields.problem("turns", "give at least one path that ends well and one that ends badly")
    if max(sum(_points(graph, path)) for path in paths) == 0:
        fields.problem("turns", "the best path earns no points")


def _has_cycle(graph: dict[str, dict[str, Any]]) -> bool:
    state: dict[str, int] = {}  # 1 on the way, 2 done

    def visit(key: str) -> bool:
        state[key] = 1
        for reply in graph[key]["replies"]:
            following = reply.get("next")
            if following and (state.get(following) == 1 or
                              (following not in state and visit(following))):  # fmt: skip
                return True
        state[key] = 2
        return False

    return any(key not in state and visit(key) for key in graph)
