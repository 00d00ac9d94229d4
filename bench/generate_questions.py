"""Questions generated from the structure of the sample reports, split by section into a
development part and a held-back test part.

Sources, all read from the text renditions in ``evals/text-renditions/`` through the chunker's own structure
(``assistant.reading.chunking``), and asked of both the text and the PDF indexes:

- **table cells**: every figure with a row label and a column header, in several templates, the
  measure sometimes named by a synonym and the period written another way (2018/19, 2018-19,
  "the year to March 2019");
- **sentences with a figure or a date**: a few sentence shapes turned into questions
  ("There were N X" -> "How many X were there?", "N% of X were Y" -> "What percentage of X
  were Y?", "S was V on <date>" -> "When was S V?", "N X have been V" -> "How many X have been V?");
- **named bodies**: a sentence naming a body by a name ending in what it is ("… monitored through
  the ICT Delivery Board") asked with the name replaced by "which <kind>" ("… monitored through
  which board?"), the name expected;
- **form fields**: "Label: value" lines of cover sheets ("Report Author: ACO Phil Eaton" ->
  "Who is the report author?");
- **unanswerable**: one table question per row asked again for a financial year that no report
  in the corpus mentions (the row and measure exist, the year does not): the answer is to abstain.

Each question's part is decided by its report and section (the top-level paragraph number,
or the table), never by the question, so paraphrases of one fact share a part. The
expected answer is the figure or value as the report prints it; the evidence is the report's
own words around it.

Usage: python bench/generate_questions.py [OUT]   (default evals/generated-questions.jsonl)
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from pathlib import Path

import assistant  # noqa: F401  (sets the offline environment)
from assistant.answering.figures import periods
from assistant.reading.chunking import Block, build_blocks, document_lines, segment
from assistant.reading.loading import load_document
from assistant.reading.tables import is_number

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "evals" / "text-renditions"
OUT = ROOT / "evals" / "generated-questions.jsonl"

# How a person may name a table's measure instead of the header's own word.
MEASURE_WORDS = {
    "budget": ["budget", "allocation", "budgeted amount"],
    "actual": ["actual spend", "outturn", "actual expenditure"],
    "variance": ["variance", "difference between budget and actual"],
    "calls": ["calls", "number of calls"],
}
TABLE_TEMPLATES = [
    "What was the {measure} for {row}{period}?",
    "What {measure} does the report give for {row}{period}?",
    "{row}: what was the {measure}{period}?",
]
_PERIOD = re.compile(r"\b(20\d\d|\d\d)\s*[/-]\s*(\d\d)\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d(?:\s*[/-]\s*\d\d)?\b")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{_MONTHS})\s+\d{{4}}\b")
_COUNT = r"(\d{1,3}(?:,\d{3})+|(?!(?:19|20)\d\d\b)\d{2,})"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_FIELD = re.compile(r"^([A-Z][A-Za-z /&()'-]{2,40}):\s+(\S.{1,80})$")
_FIELD_QUESTIONS = {
    "author": "Who is the {label} of the {title}?",
    "officer": "Who is the {label} for the {title}?",
    "contact": "Who are the {label} for the {title}?",
    "date": "What is the {label} of the {title}?",
    "report to": "Which meeting is the {title} reported to?",
    "report of": "Which department reported the {title}?",
    "decision": "What is the {label} of the {title}?",
}


def _part(report: str, section: str) -> str:
    return "dev" if zlib.crc32(f"{report}|{section}".encode()) % 2 == 0 else "test"


def period_forms(period: str) -> list[str]:
    """2018/19 written the other ways people write it."""
    m = _PERIOD.search(period)
    if not m:
        return [period]
    start, end = m.group(1), m.group(2)
    start = start if len(start) == 4 else f"20{start}"
    return [f"{start}/{end}", f"{start}-{end}", f"the year to March {start[:2]}{end}"]


def _item(report: str, section: str, key: str, question: str, expected: str, evidence: str, kind: str) -> dict:
    return {
        "id": f"g-{report[:24]}-{zlib.crc32(f'{key}|{question}'.encode()):08x}",
        "question": question,
        "expected": [expected],
        "evidence": evidence,
        "unanswerable": False,
        "type": kind,
        "report": report,
        "section": section,
        "part": _part(report, section),
    }


def _measure_question(h: int, measure: str, row: str, period: str, caption: str) -> str:
    """A question for one cell: counts and percentages asked as people ask them, totals named once."""
    m = measure.lower()
    when = f" in {period}" if period else ""
    if m in {"number", "no.", "count", "calls", "number of calls"} or m.startswith(("no. of", "number of")):
        what = m.split(" of ", 1)[1] if " of " in m else row
        return f"How many {what} were there{when}?" if what == row else f"How many {what} for {row}{when}?"
    if m in {"%", "percent", "percentage", "%age"} or m.startswith(("%", "%age")):
        rest = m.lstrip("%").removeprefix("age").strip().removeprefix("of ").strip()
        return f"What percentage{' of ' + rest if rest else ''} was {row}{when}?"
    if re.fullmatch(r"total\b.*", row.lower()):  # the caption names the table; a period in it says when
        when = "" if _PERIOD.search(caption) else when
        return (
            f"What was the total {m} in the {caption}{when}?"
            if m != "total"
            else f"What was the overall total in the {caption}{when}?"
        )
    words = MEASURE_WORDS.get(m.split()[-1], [m])
    return TABLE_TEMPLATES[h % len(TABLE_TEMPLATES)].format(measure=words[h % len(words)], row=row, period=when)


def _absent_period(period: str, mentioned: set[str]) -> str | None:
    """The first financial year after ``period`` that the corpus never mentions, written as ``period`` is."""
    m = _PERIOD.search(period)
    if not m:
        return None
    start = int(m.group(1)) if len(m.group(1)) == 4 else 2000 + int(m.group(1))
    for shift in range(1, 12):
        year = start + shift
        if f"{year}/{(year + 1) % 100:02d}" not in mentioned:
            sep = "-" if "-" in m.group() else "/"
            return f"{year}{sep}{(year + 1) % 100:02d}"
    return None


def table_questions(report: str, block: Block, mentioned: set[str] = frozenset()) -> list[dict]:
    table = block.table
    if table is None or not any(table.headers):
        return []
    out = []
    caption = table.caption or block.heading or ""
    labels = [re.sub(r"^\d{1,2}\.\s+", "", table.row_label(r)) for r in table.rows]
    for r, row in enumerate(table.rows):
        label = labels[r]
        asked_absent = False
        if label == "(unlabelled row)" or labels.count(label) > 1 or len(label) > 60 or r in table.unmapped:
            continue
        for c, cell in enumerate(row):
            head = table.headers[c] if c < len(table.headers) else ""
            if not cell or not is_number(cell) or not re.search(r"[A-Za-z%]", head + caption):
                continue
            if sum(x == cell for x in row) > 1 or len(re.sub(r"\D", "", cell)) < 2:
                continue  # a figure twice in the row, or a bare digit: ambiguous
            period = _PERIOD.search(head) or _PERIOD.search(caption) or _YEAR.search(caption)
            measure = " ".join(_PERIOD.sub("", head).split()).strip(" -:")
            if not re.search(r"[A-Za-z%]{1,}", measure) or len(measure) < 3 and "%" not in measure:
                measure = " ".join(_PERIOD.sub("", caption).split()).strip(" -:")
            if not re.search(r"[A-Za-z]{3}|%", measure):
                continue
            h = zlib.crc32(f"{report}|{caption}|{label}|{head}".encode())
            forms = period_forms(period.group()) if period else [""]
            question = _measure_question(h, measure, label, forms[h % len(forms)], caption)
            item = _item(
                report,
                f"table {caption}",
                f"{label}|{head}",
                question,
                cell,
                cell if len(re.sub(r"\D", "", cell)) >= 4 else label,
                "table",
            )
            out.append({**item, "cell": f"{label}|{head}".lower()})
            absent = _absent_period(period.group(), mentioned) if period and not asked_absent else None
            if absent and not re.fullmatch(r"total\b.*", label.lower()):
                asked_absent = True
                question = _measure_question(h, measure, label, absent, caption)
                out.append(
                    {
                        **_item(report, f"table {caption}", f"{label}|{head}|absent", question, "", "", "unanswerable"),
                        "expected": [],
                        "unanswerable": True,
                    }
                )
    return out


def _clause(text: str) -> str:
    """A clause cut where the sentence turns to something else."""
    text = re.split(r",|;| of which | which | with the | and the | and will | whilst | while ", text)[0]
    return " ".join(text.split()).rstrip(". ")


def _context(sentence: str, question: str) -> str:
    year = _YEAR.search(sentence)
    return f" in {year.group()}" if year and year.group() not in question else ""


_NP = r"([A-Za-z][\w&'’-]*(?: [\w&'’-]+){0,5}?)"
_AUX = r"(have been|has been|were|was|are|is)"
_ADV = r"(?:(?:now|already|since|so far|successfully) )?"
_ABOUT = r"(?:circa |over |around |about |some |approximately |nearly |almost )?"


def sentence_questions(sentence: str) -> list[tuple[str, str, str]]:
    """(question, expected, evidence) for the sentence shapes this generator knows."""
    s = " ".join(sentence.split())
    out = []
    if m := re.search(rf"\bThere (were|was|are|have been) {_ABOUT}{_COUNT} ([a-z][\w -]+)", s):
        what = _clause(m.group(3))
        q = f"How many {what} {'are' if m.group(1) == 'are' else 'were'} there"
        out.append((q + _context(s, q) + "?", m.group(2), f"{m.group(2)} {what}"))
    elif m := re.search(
        rf"(?:^|\s){_ABOUT}{_COUNT} {_NP} (have|has|were|was|are) {_ADV}(been )?([a-z]+ed\b[\w ,&'’-]*)", s
    ):
        what, aux, verb = m.group(2), m.group(3), _clause(m.group(5))
        q = f"How many {what} {aux} {m.group(4) or ''}{verb}".replace("  ", " ")
        out.append((q + _context(s, q) + "?", m.group(1), f"{m.group(1)} {what}"))
    elif m := re.match(rf"((?:The|A|An|This|Our) [\w&'’() -]{{2,60}}?) (has|have) {_ABOUT}{_COUNT} ([a-z][\w -]+)", s):
        subject, what = m.group(1), _clause(m.group(4))
        q = f"How many {what} {'does' if m.group(2) == 'has' else 'do'} {subject[0].lower() + subject[1:]} have"
        out.append((q + _context(s, q) + "?", m.group(3), f"{m.group(3)} {what}"))
    if m := re.search(r"(\d+(?:\.\d+)?%) of ([a-z][\w ]+?) (were|was|are|is) ([a-z][\w ,'-]+)", s):
        q = f"What percentage of {m.group(2)} {m.group(3)} {_clause(m.group(4))}"
        out.append((q + _context(s, q) + "?", m.group(1), f"{m.group(1)} of {m.group(2)}"))
    if m := re.match(
        rf"((?:The|A|An|This|Our) [\w&'’() –-]{{3,80}}?) (was|were|is|will be) ((?:[a-z]+ed\b[\w ,&'’()-]*?)?)"
        rf"\s*(?:on|in|from|by|due in) (?:the )?({_DATE.pattern})",
        s,
    ):
        subject, verb = m.group(1), _clause(m.group(3))
        if not re.search(r"\b(is|are|has|have|was|were|will)\b", subject):
            aux = {"will be": "will"}.get(m.group(2), m.group(2))
            tail = f" {'be ' if aux == 'will' else ''}{verb}" if verb else ""
            q = f"When {aux} {subject[0].lower() + subject[1:]}{tail}?"
            out.append((" ".join(q.split()), m.group(4), m.group(4)))
    return out


# The last word of a body's name and the word a question asks it by ("Gwent Police" -> which force).
KINDS = {
    "board": "board",
    "boards": "board",
    "committee": "committee",
    "panel": "panel",
    "group": "group",
    "council": "council",
    "police": "force",
    "constabulary": "force",
    "unit": "unit",
    "service": "service",
    "services": "service",
    "partnership": "partnership",
    "authority": "authority",
    "office": "office",
    "team": "team",
    "programme": "programme",
    "system": "system",
    "network": "network",
    "agency": "agency",
}
_BODY = re.compile(
    r"(?<![\w-])(?:the )?((?:[A-Z][\w'’&-]*|&|and|of|for) ){1,5}(" + "|".join(k.title() for k in KINDS) + r")\b"
)


def name_questions(sentence: str) -> list[tuple[str, str, str]]:
    """(question, expected, evidence) asking which body a sentence names: one name of its kind only."""
    s = re.sub(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+", "", " ".join(sentence.split())).rstrip(".")
    bodies = [m for m in _BODY.finditer(s) if m.group(0).split()[0] not in {"and", "of", "for", "&"}]
    if len(s) > 200 or not bodies:
        return []
    m = bodies[0]
    kind = KINDS[m.group(2).lower()]
    name = m.group(0).removeprefix("the ").strip()
    others = [b for b in bodies[1:] if KINDS[b.group(2).lower()] == kind]
    if (
        others
        or len(name.split()) < 2
        or s.count(name) > 1
        or name.split()[0].lower() in {"the", "this", "our", "a", "an"}
    ):
        return []
    before, after = s[: m.start()].split()[-1:], s[m.end() :]
    if (
        before
        and before[0][:1].isupper()
        and m.start() > 0
        or re.match(r"\s*(?:[A-Z0-9]|and [A-Z]|['’]s\b|[a-z]{1,2}\b)", after)
    ):
        return []  # the name goes on ("… Digital Service Division", "Gwent Police and South Wales Police")
    if len(re.findall(r"\b[a-z]{3,}\b", s)) < 5 or re.search(r"\b[A-Z]{3,}:|\s[-–]\s.*\s[-–]\s|;", s):
        return []  # a heading, a form's lines or a list, not a sentence
    which = "Which" if m.start() == 0 else "which"
    question = f"{s[: m.start()]}{which} {kind}{s[m.end() :]}?"
    return [(" ".join(question.split()), name, name)]


def prose_questions(report: str, block: Block) -> list[dict]:
    text = " ".join(line.text.strip() for line in block.lines if line.text.strip())
    text = re.sub(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?\s*\|?\s*)", "", text)
    section = (
        f"para {block.paragraph.split('.')[0]}" if block.paragraph else f"heading {block.section or block.heading}"
    )
    out = []
    for sentence in _SENTENCE.split(text):
        sentence = sentence.strip(" -*|")
        for question, expected, evidence in sentence_questions(sentence):
            if len(question) <= 160:
                out.append(_item(report, section, sentence[:60], question, expected, evidence, "prose"))
        for question, expected, evidence in name_questions(sentence):
            if len(question) <= 200:
                out.append(_item(report, section, sentence[:60], question, expected, evidence, "entity"))
    return out


def field_questions(report: str, title: str, block: Block) -> list[dict]:
    out = []
    for line in block.lines:
        m = _FIELD.match(line.text.strip().replace("\t", " "))
        if not m or is_number(m.group(2)):
            continue
        label, value = m.group(1).strip(), " ".join(m.group(2).split())
        key = next((k for k in _FIELD_QUESTIONS if k in label.lower()), None)
        if key is None or "@" in value:
            continue
        question = _FIELD_QUESTIONS[key].format(label=label.lower(), title=title)
        out.append(_item(report, "form", label, question, value, value[:40], "field"))
    return out


def short_title(title: str) -> str:
    """A report's title as a person names it: its first clause, at most eight words."""
    head = re.split(r"\s[–-]\s|:|\(", title)[0]
    return " ".join(head.split()[:8])


def generate(corpus: Path = CORPUS) -> list[dict]:
    """Every generated question for the text reports in ``corpus``, in a stable order."""
    items: list[dict] = []
    docs = {path.stem: load_document(path, path.read_bytes()) for path in sorted(corpus.glob("*.txt"))}
    mentioned = {p for doc in docs.values() for page in doc.pages for p in periods(page.text)}
    for report, doc in docs.items():
        for block in build_blocks(segment(document_lines(doc))):
            if block.kind == "table":
                items += table_questions(report, block, mentioned)
            else:
                items += prose_questions(report, block) + field_questions(report, short_title(doc.title), block)
    values: dict[tuple[str, str], set[str]] = {}
    for item in items:  # the same row and column in two tables of a report, with two values: ambiguous
        values.setdefault((item["report"], item.get("cell") or item["question"].lower()), set()).add(
            item["expected"][0] if item["expected"] else ""
        )
    items = [
        {k: v for k, v in i.items() if k != "cell"}
        for i in items
        if len(values[(i["report"], i.get("cell") or i["question"].lower())]) == 1
    ]
    seen, unique = set(), []
    for item in items:
        if item["question"].lower() not in seen:  # the same question twice would have two answers
            seen.add(item["question"].lower())
            unique.append(item)
    return unique


def render(items: list[dict]) -> str:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    items = generate()
    out.write_text(render(items), encoding="utf-8")
    parts = {p: sum(i["part"] == p for i in items) for p in ("dev", "test")}
    kinds = {k: sum(i["type"] == k for i in items) for k in ("table", "prose", "entity", "field", "unanswerable")}
    print(f"{len(items)} questions ({parts}, {kinds}) -> {out}")
