"""``assistant eval``: answer a question set through ``Assistant.ask`` and score it.

Writes ``results.jsonl`` (the ``ask --json`` object plus the question id), ``summary.json``,
``report.md`` and ``charts.png`` (accuracy per question type, latency distribution).
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .answering.figures import figure_in, figures
from .answering.open_answers import KEY_POINTS
from .api import Answer, Assistant
from .documents import Filters, Passage
from .reading.cleaning import normalise


def question_set(name: str = "questions.jsonl") -> Path:
    """A packaged question set (``evals/`` in the source tree, installed as ``assistant.evals``)."""
    from importlib.resources import files

    return Path(str(files("assistant.evals") / name))


QUESTIONS = question_set()


def load_questions(paths: list[Path]) -> list[dict[str, Any]]:
    items = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                item = json.loads(line)
                for key in ("id", "question"):
                    if key not in item:
                        raise ValueError(f"{path}:{n}: missing '{key}'")
                item.setdefault("expected", [])
                item.setdefault("evidence", "")
                item.setdefault("unanswerable", False)
                item.setdefault("type", "unanswerable" if item["unanswerable"] else "other")
                items.append(item)
    return items


def answer_matches(answer: str, expected: list[str]) -> bool:
    """An expected variant is in the answer: as text (case/spacing folded) or as the same figure.

    A key-point answer (a why-question's reasons) is judged by its first point, and an answer
    longer than 320 characters is wrong: a list of everything near the question is not an answer."""
    if answer.startswith(KEY_POINTS) and "\n" in answer:
        answer = answer.split("\n")[1]
    if len(answer) > 320:
        return False
    flat = " ".join(answer.lower().split())
    for variant in expected:
        v = " ".join(variant.lower().split())
        if v in flat or normalise(v) and normalise(v) in normalise(answer) and not any(c.isdigit() for c in v):
            return True
        figs = figures(variant)
        if figs and all(figure_in(f, answer) for f in figs):
            return True
    return False


ORDER_FREE_WORDS = 5  # an evidence snippet this long may be found with its words in another order


def holds_evidence(evidence: str, text: str) -> bool:
    """``text`` holds the evidence snippet: compared on letters and digits (readers join lines
    differently), or, for a snippet of five or more words, all its words within a span three times
    its length, its figures in their order and its other words in any (a reader that keeps a
    table's cells or a page's columns apart orders them otherwise)."""
    snippet = normalise(evidence)
    if not snippet:
        return False
    if snippet in normalise(text):
        return True
    words = re.findall(r"[a-z0-9]+", evidence.lower())
    if len(words) < ORDER_FREE_WORDS:
        return False
    seq, need, span = re.findall(r"[a-z0-9]+", text.lower()), Counter(words), 3 * len(words)
    figures_in_order = [w for w in words if w[0].isdigit()]
    for i in range(len(seq)):
        window = seq[i : i + span]
        if seq[i] in need and not need - Counter(window) and _in_order(figures_in_order, window):
            return True
    return False


def _in_order(wanted: list[str], seq: list[str]) -> bool:
    """``wanted`` is a subsequence of ``seq``."""
    it = iter(seq)
    return all(w in it for w in wanted)


def _holding(item: dict[str, Any], passages: list[Passage]) -> int | None:
    """1-based rank of the first of ``passages`` holding the item's evidence snippet; None for none, or no snippet."""
    evidence = item.get("evidence", "")
    return next((rank for rank, p in enumerate(passages, 1) if holds_evidence(evidence, p.text)), None)


def evidence_rank(item: dict[str, Any], answer: Answer) -> int | None:
    """1-based rank of the first retrieved passage holding the evidence snippet."""
    return _holding(item, answer.passages)


def evidence_cited(item: dict[str, Any], answer: Answer) -> bool:
    """A cited passage holds the item's evidence."""
    return _holding(item, answer.citations) is not None


def key_points(answer: Answer, phrases: list[str]) -> float:
    """The share of an open question's key phrases the answer states (case and spacing aside); 0 for an abstention."""
    if answer.abstained or not phrases:
        return 0.0
    text = " ".join(answer.answer.lower().split())
    return sum(1 for k in phrases if " ".join(k.lower().split()) in text) / len(phrases)


_QUOTED = re.compile(r"“([^”]+)”")
_SCAFFOLD = re.compile(r"^\s*\d+\.\s|\((?:pp?\.|para)[^)]*\)", re.M)  # "2. “…” (p. 16, para 5.2)"


def citation_supported(answer: Answer, expected: list[str]) -> bool:
    """Nothing the answer states is missing from its cited passages: each quoted point (the parts around an
    ellipsis) is in a cited passage, and so is each figure stated outside the quotes; with neither, the
    answer's own words (a field's value after its label; letters and digits compared) or, for an answer
    composed around its value, an expected variant."""
    cited = " ".join(p.text for p in answer.citations)
    flat = normalise(cited)
    quotes = _QUOTED.findall(answer.answer)
    if not all(normalise(part) in flat for q in quotes for part in q.split("…") if normalise(part)):
        return False
    rest = _SCAFFOLD.sub(" ", _QUOTED.sub(" ", answer.answer))  # a point's number and page are not claims
    figs = [f for f in figures(rest) if not (f.kind == "number" and 1900 <= f.value <= 2100)]
    if figs or quotes:
        return all(figure_in(f, cited) for f in figs)
    value = answer.answer.split(": ", 1)[-1]  # a field's answer, "Lead chief officer: <value>", names its label
    return normalise(value) in flat or any(normalise(v) in flat for v in expected)


@lru_cache(maxsize=64)
def _pdf_pages(path: str) -> tuple[str, ...]:
    from pypdf import PdfReader

    return tuple(normalise(p.extract_text() or "") for p in PdfReader(path).pages)


@lru_cache(maxsize=32)
def _read_pages(path: str) -> tuple[str, ...]:
    """The normalised text of each page as the assistant reads it (its repairs included: a word set one
    letter per line in a narrow table column is one word there, not in pypdf's text)."""
    from .reading.loading import load_document

    try:
        return tuple(normalise(p.text) for p in load_document(Path(path), Path(path).read_bytes()).pages)
    except Exception:  # noqa: BLE001 - a file the reader refuses: pypdf's pages alone are checked
        return ()


def _cited_span(p: Passage, paths: dict[str, str], spill: int = 0) -> tuple[str, slice] | None:
    """The file and the pages a PDF passage cites (and ``spill`` pages after), or None for a passage
    without a page or whose file is gone."""
    path = paths.get(p.metadata.get("doc_id", ""), "")
    if p.page is None or not path or not Path(path).exists():
        return None
    return str(path), slice(p.page - 1, (p.metadata.get("page_end") or p.page) + spill)


def _on_cited_pages(
    cited: list[Passage], paths: dict[str, str], holds: Callable[[str], bool], spill: int = 0
) -> bool | None:
    """Whether ``holds`` is true of the normalised text of the pages ``cited`` cite, as pypdf reads them or,
    failing that, beside them as the assistant reads them (read only then: a whole document's reading);
    None when no passage cites a page of a file that is there."""
    spans = [s for s in (_cited_span(p, paths, spill) for p in cited) if s is not None]
    if not spans:
        return None
    if holds("".join("".join(_pdf_pages(path)[span]) for path, span in spans)):
        return True
    return holds(
        "".join("".join(_pdf_pages(path)[span]) + "\n" + "".join(_read_pages(path)[span]) for path, span in spans)
    )


def page_correct(item: dict[str, Any], answer: Answer, paths: dict[str, str]) -> bool | None:
    """For cited PDF passages holding the evidence: is the evidence on the cited page(s)?

    None when no cited passage is a PDF passage holding the evidence.
    """
    snippet = normalise(item.get("evidence", ""))
    checked = None
    for p in answer.citations:
        if not snippet or snippet not in normalise(p.text):
            continue
        ok = _on_cited_pages([p], paths, lambda text: snippet in text, spill=1)  # a snippet may wrap onto the next page
        if ok is None:
            continue
        checked = ok if checked is None else (checked and ok)
    return checked


def figure_on_cited_page(answer: Answer, paths: dict[str, str]) -> bool | None:
    """Whether the page a PDF answer cites (its first citation's page or pages) prints the answer's figures;
    for a key-point answer, whether the pages its points cite print the figures quoted.

    None when there is nothing to check: an abstention, no figure, or a citation without a page.
    """
    if answer.abstained or not answer.citations:
        return None
    points = answer.answer.startswith(KEY_POINTS)
    said = " ".join(re.findall(r"“(.*?)”", answer.answer)) if points else answer.answer  # not the "(p. 16)"
    figs = [f for f in figures(said) if not (f.kind == "number" and (1900 <= f.value <= 2100 or abs(f.value) < 10))]
    if not figs:
        return None
    cited = answer.citations if points else answer.citations[:1]  # each point cites its own passage
    return _on_cited_pages(cited, paths, lambda text: all(normalise(f.text) in text for f in figs))


@dataclass
class Scored:
    item: dict[str, Any]
    answer: Answer
    rank: int | None
    correct: bool
    supported: bool
    page_ok: bool | None = None
    figure_page_ok: bool | None = None
    cited: bool = False  # right, and a cited passage holds the evidence (letters and digits compared)
    key_points: float | None = None  # an open question's share of key phrases covered (None for others)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summarise(scored: list[Scored], parts: bool = True) -> dict[str, Any]:
    """The headline scores. Open questions ("type": "open") are scored by the key phrases their
    answer covers (``open_key_points``), not by answer accuracy; their evidence counts for retrieval."""
    opened = [s for s in scored if s.key_points is not None]
    answerable = [s for s in scored if not s.item["unanswerable"] and s.key_points is None]
    unanswerable = [s for s in scored if s.item["unanswerable"]]
    abstained = [s for s in scored if s.answer.abstained]
    with_evidence = [s for s in answerable + opened if s.item.get("evidence")]
    answered = [s for s in answerable if not s.answer.abstained]

    def hit(k: int) -> float:
        return sum(1 for s in with_evidence if s.rank is not None and s.rank <= k) / max(len(with_evidence), 1)

    by_type: dict[str, list[Scored]] = defaultdict(list)
    for s in scored:
        by_type[s.item["type"]].append(s)
    latencies = [s.answer.latency_ms for s in scored]
    return {
        "questions": len(scored),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "evidence_hit@1": round(hit(1), 4),
        "evidence_hit@3": round(hit(3), 4),
        "evidence_hit@5": round(hit(5), 4),
        "mrr": round(sum(1 / s.rank for s in with_evidence if s.rank) / max(len(with_evidence), 1), 4),
        "answer_accuracy": round(sum(s.correct for s in answerable) / max(len(answerable), 1), 4),
        "answer_with_citation": round(sum(s.cited for s in answerable) / max(len(answerable), 1), 4),
        "open_key_points": round(sum(s.key_points or 0.0 for s in opened) / len(opened), 4) if opened else None,
        "open_abstained": sum(1 for s in opened if s.answer.abstained),
        "citation_support": round(sum(s.supported for s in answered) / max(len(answered), 1), 4),
        "page_accuracy": (
            round(sum(1 for s in paged if s.page_ok) / len(paged), 4)
            if (paged := [s for s in scored if s.page_ok is not None])
            else None
        ),
        "figure_page_accuracy": (
            round(sum(1 for s in checked if s.figure_page_ok) / len(checked), 4)
            if (checked := [s for s in scored if s.figure_page_ok is not None])
            else None
        ),
        "abstention_precision": round(sum(1 for s in abstained if s.item["unanswerable"]) / max(len(abstained), 1), 4),
        "abstention_recall": (
            round(sum(1 for s in unanswerable if s.answer.abstained) / len(unanswerable), 4) if unanswerable else None
        ),
        "false_abstention_rate": round(sum(1 for s in answerable if s.answer.abstained) / max(len(answerable), 1), 4),
        "false_abstentions": sum(1 for s in answerable + opened if s.answer.abstained),
        "latency_ms_p50": round(statistics.median(latencies), 1) if latencies else 0.0,
        "latency_ms_p95": round(percentile(latencies, 95), 1),
        "by_type": {
            t: {
                "questions": len(items),
                "accuracy": round(sum(_right(s) for s in items) / len(items), 4),
            }
            for t, items in sorted(by_type.items())
        },
        **(_by_part(scored) if parts else {}),
    }


def _right(s: Scored) -> float:
    """1 for a right answer or abstention, an open question's key-phrase share, else 0."""
    if s.item["unanswerable"]:
        return float(s.answer.abstained)
    return s.key_points if s.key_points is not None else float(s.correct)


def abstention_curve(scored: list[Scored], steps: int = 50) -> list[dict[str, float]]:
    """Abstention precision and recall, and the false-abstention rate, had the answerer abstained
    below each confidence threshold (extractive answers only; the operating point is
    ``answering.abstention.ABSTAIN_COVERAGE``). Empty without unanswerable questions."""
    rated = [s for s in scored if s.answer.confidence is not None]
    unanswerable = [s for s in rated if s.item["unanswerable"]]
    answerable = [s for s in rated if not s.item["unanswerable"]]
    if not unanswerable or not answerable:
        return []
    curve = []
    for i in range(steps + 1):
        t = i / steps
        abstains = [s for s in rated if s.answer.confidence < t or s.answer.confidence == 0]
        right = sum(1 for s in abstains if s.item["unanswerable"])
        curve.append(
            {
                "threshold": round(t, 3),
                "precision": round(right / len(abstains), 4) if abstains else 1.0,
                "recall": round(right / len(unanswerable), 4),
                "false_abstention_rate": round((len(abstains) - right) / len(answerable), 4),
            }
        )
    return curve


PART_METRICS = (
    "questions",
    "answer_accuracy",
    "answer_with_citation",
    "evidence_hit@1",
    "evidence_hit@3",
    "citation_support",
    "false_abstention_rate",
    "abstention_recall",
    "abstention_precision",
    "open_key_points",
)


def _by_part(scored: list[Scored]) -> dict[str, Any]:
    """For a set split into parts (``"part": "dev" | "test"``), each part's headline scores and the
    development-minus-test accuracy gap: a wide gap means rules fitted to the development part."""
    parts = sorted({s.item["part"] for s in scored if s.item.get("part")})
    if not parts:
        return {}
    got = {
        p: {
            k: v
            for k, v in summarise([s for s in scored if s.item.get("part") == p], parts=False).items()
            if k in PART_METRICS
        }
        for p in parts
    }
    gap = (
        round(got["dev"]["answer_accuracy"] - got["test"]["answer_accuracy"], 4)
        if {"dev", "test"} <= got.keys()
        else None
    )
    return {"by_part": got, "dev_test_accuracy_gap": gap}


def run(assistant: Assistant, items: list[dict[str, Any]], clearance: str | None = None) -> list[Scored]:
    paths = {d.doc_id: d.path for d in assistant.documents()}
    filters = Filters(clearance=clearance)
    out = []
    for item in items:
        answer = assistant.ask(item["question"], filters)
        opened = item.get("type") == "open"
        correct = (
            (not item["unanswerable"])
            and not opened
            and not answer.abstained
            and answer_matches(answer.answer, item["expected"])
        )
        supported = (not answer.abstained) and citation_supported(answer, item["expected"])
        out.append(
            Scored(
                item,
                answer,
                evidence_rank(item, answer),
                correct,
                supported,
                page_correct(item, answer, paths),
                figure_on_cited_page(answer, paths),
                correct and evidence_cited(item, answer),
                key_points(answer, item["expected"]) if opened else None,
            )
        )
    return out


def write_report(scored: list[Scored], summary: dict[str, Any], out: Path, title: str = "Evaluation") -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for s in scored:
            f.write(json.dumps({"id": s.item["id"], **s.answer.to_json()}, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    lines = [f"# {title}", "", "| metric | value |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in summary.items() if k not in ("by_type", "by_part")]
    lines += ["", "## By question type", "", "| type | questions | accuracy |", "| --- | --- | --- |"]
    lines += [f"| {t} | {v['questions']} | {v['accuracy']} |" for t, v in summary["by_type"].items()]
    if summary.get("by_part"):
        lines += [
            "",
            "## By part (development / held-back test)",
            "",
            "| part | " + " | ".join(PART_METRICS) + " |",
            "| --- |" + " --- |" * len(PART_METRICS),
        ]
        lines += [
            f"| {p} | " + " | ".join(str(v[k]) for k in PART_METRICS) + " |" for p, v in summary["by_part"].items()
        ]
    lines += ["", "## Failures", ""]
    for s in scored:
        ok = s.answer.abstained if s.item["unanswerable"] else s.correct
        if not ok:
            want = "abstain" if s.item["unanswerable"] else " / ".join(s.item["expected"])
            lines.append(
                f"- **{s.item['id']}** ({s.item['type']}) {s.item['question']}  \n"
                f"  expected: {want}; evidence rank: {s.rank}  \n  answer: {s.answer.answer}"
            )
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _chart(summary, [s.answer.latency_ms for s in scored], out / "charts.png", title)
    if curve := abstention_curve(scored):
        (out / "abstention.json").write_text(json.dumps(curve, indent=1), encoding="utf-8")
        abstention_chart(curve, out / "abstention.png", title)


def abstention_chart(curve: list[dict[str, float]], path: Path, title: str) -> None:
    """The abstention precision/recall curve over the confidence threshold, operating point marked."""
    from .answering.abstention import ABSTAIN_COVERAGE

    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot([c["recall"] for c in curve], [c["precision"] for c in curve], marker=".", color="#33658a")
    here = min(curve, key=lambda c: abs(c["threshold"] - ABSTAIN_COVERAGE))
    left.scatter(
        [here["recall"]], [here["precision"]], color="#f26419", zorder=3, label=f"threshold {ABSTAIN_COVERAGE}"
    )
    left.set_xlabel("abstention recall (unanswerable questions abstained on)")
    left.set_ylabel("abstention precision")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.legend(loc="lower left")
    left.set_title("Abstention precision / recall")
    ts = [c["threshold"] for c in curve]
    right.plot(ts, [c["recall"] for c in curve], label="abstention recall", color="#33658a")
    right.plot(ts, [c["false_abstention_rate"] for c in curve], label="false-abstention rate", color="#f26419")
    right.axvline(ABSTAIN_COVERAGE, color="grey", linestyle="--", linewidth=1)
    right.set_xlabel("confidence threshold (share of question terms in evidence)")
    right.set_ylim(0, 1.02)
    right.legend(loc="center right")
    right.set_title("Against the threshold")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _pyplot() -> Any:
    """matplotlib's pyplot drawing to files (no display), imported only when a chart is written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _chart(summary: dict[str, Any], latencies: list[float], path: Path, title: str) -> None:
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    types = list(summary["by_type"])
    left.bar(types, [summary["by_type"][t]["accuracy"] for t in types], color="#33658a")
    left.set_ylim(0, 1)
    left.set_title("Accuracy by question type")
    left.tick_params(axis="x", rotation=35)
    right.hist(latencies, bins=30, color="#86bbd8")
    right.set_title(f"ask latency (p50 {summary['latency_ms_p50']} ms, p95 {summary['latency_ms_p95']} ms)")
    right.set_xlabel("ms")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def evaluate(
    index_dir: str | Path | None,
    questions: list[Path] | None,
    out: Path,
    title: str = "Evaluation",
    clearance: str | None = None,
) -> dict[str, Any]:
    """Run a question set against an index (as a user of ``clearance``) and write the report; returns the summary."""
    items = load_questions(questions or [QUESTIONS])
    assistant = Assistant(index_dir).load()
    try:
        scored = run(assistant, items, clearance)
    finally:
        assistant.close()
    summary = summarise(scored)
    write_report(scored, summary, out, title)
    return summary
