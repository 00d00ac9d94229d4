"""Open answers: the key points of a section, for questions no single sentence answers.

Aims, priorities, risks, recommendations, a summary of a topic, "what does the report say about
X": the analysis stage types these ``open`` (a whole report's summary is made by :mod:`.summaries`).
Takes the :class:`~.analysis.Query`, the retrieved passages, a reader of whole sections and a
search of one report; hands on
:class:`~.extraction.Extracted` whose answer lists up to five points quoted from the best-matching
section (its list items, items it numbers with a label, else each paragraph's first sentence) or
from a list of the report's that an introduction close in meaning leads to, each with its
location, or an abstention.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..documents import Passage
from ..reading.guard import instruction_like, without_instructions
from .abstention import ABSTAIN_COVERAGE, Meaning, conflicts, pool_of, unnamed
from .analysis import Query
from .candidates import LEAD_NUMBER, SENTENCE_SPLIT, report_of
from .extraction import Extracted, trim
from .terms import STOPWORDS as _STOP
from .terms import coverage
from .terms import found as _found
from .terms import stem as _stem
from .terms import words as _words

MAX_POINTS = 5
KEY_POINTS = "Key points quoted from"  # how a key-point answer opens (the evaluation reads its points by it)
OPEN_FLOOR = 0.3  # a point chosen by meaning is at least this close to the question (cosine)
MEANING_POOL = 30  # sentences read by meaning for one question (0.1–0.4 s to encode cold on one core)
LIST_RANK = 3  # a list is the answer when the sentence introducing it ranks among the first three candidates
OPEN_LIST_RANK = 5  # … or, for an open question, among the first five and within LIST_MARGIN of the closest
LIST_MARGIN = 0.15
POINT_LENGTH = 300  # a point is quoted whole up to this many characters
ANCHOR_PASSAGES = 6  # passages of the answer's report read for the sentences most like the reason given
REPORT_PASSAGES = (
    20  # an open question's report: its passages closest to the question, read for the lists they go on with
)
SectionReader = Callable[[Passage], list[Passage]]
ReportSearch = Callable[[str, str, int], list[Passage]]  # (text, doc_id, k) -> that report's passages, best first


_CAUSE = re.compile(
    r"\b(due to|because|as a result|owing to|in order to|so that|caused by|reflects?|therefore)\b", re.I
)
_ITEM = re.compile(r"^\s*(?:[-•◆▪*–]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}\.\d{1,2}\.?)\s+(?=\S)")
# A paragraph number opening a line or following a sentence's end ("… both forces. 6.2 A second …"):
# dotted ("6.2", "10.") so that a count opening a sentence ("12 Special Constables …") is not one.
_OWN_NUMBER = re.compile(
    r"(?:^|\n|(?<=[.!?;:]) )\s*[-•◆▪*–]?\s*(\d{1,2}(?:\.\d{1,2}){1,3}\.?|\d{1,2}\.)\s+(?=[A-Z“\"(])"
)


# Bullets as PDFs set in the Symbol or Wingdings font give them (Word's "" is U+F0B7), read as the
# bullet they print. Only key points read them so: read as bullets everywhere, they split a cover's
# boxed lines into separate candidate answers, which lost a realworld-dev development answer needing two.
_FONT_BULLETS = str.maketrans(dict.fromkeys("\uf0b7\uf0a7\uf0a8\uf0d8\uf076\uf0fc\uf06e\uf09f", "•"))


def _read(p: Passage) -> str:
    """A passage's text as key points read it: without instructions, its bullets as printed."""
    return without_instructions(p.text).translate(_FONT_BULLETS)


def _points(passages: list[Passage], inline: bool = False) -> list[tuple[str, Passage]]:
    """A section's key points in reading order: its list items (``inline``: also bullets set inside a
    line), or else each passage's first sentence."""
    ordered = sorted(passages, key=lambda p: p.reading_order)
    items: list[tuple[str, Passage]] = []
    for p in ordered:
        for text in filter(None, map(_item_point, _marked(_read(p), inline))):
            if not any(same(text, t) for t, _ in items):  # a chunk's overlap repeats the items it shares
                items.append((text, p))
    labelled = _labelled(ordered)
    if len(labelled) > len(items):  # "Risk 1 …", "Risk 2 – …": the items the section numbers
        items = labelled
    if len(items) < 2:
        items = []
        for p in ordered:  # a sentence, not a heading line: long, or closed by a full stop
            text = _read(p)
            sentences = (LEAD_NUMBER.sub("", s.strip(" •-–")) for s in SENTENCE_SPLIT.split(text))
            first = next((t for t in sentences if len(t) >= 60 or len(t) >= 30 and t.endswith(".")), "")
            if first and not instruction_like(first):
                items.append((first, p))
    return items


def _siblings(text: str, p: Passage, whole: list[Passage]) -> list[tuple[str, Passage]]:
    """The other items, in order, of the list that ``text`` (of passage ``p``) opens an item of (none if
    it does not): in ``p`` and the passages next to it in its section ``whole`` while each is an item."""
    at = _place(whole, p)
    run = [p]
    if at is not None:
        start, end = at, at
        while start > 0 and _item_opening(whole[start - 1]) and _follows(whole[start - 1], whole[start]):
            start -= 1
        while end + 1 < len(whole) and _item_opening(whole[end + 1]) and _follows(whole[end], whole[end + 1]):
            end += 1
        run = whole[start : end + 1]
    items = [(t, q) for q in run for t in map(_item_point, _marked(_read(q), inline=True)) if t]
    if not any(_opens(text, t) for t, _ in items):
        return []  # not an item, or a sentence inside one
    return [(t, q) for t, q in items if not _opens(text, t)]


def _item_point(text: str) -> str | None:
    """A list item's text as a point (its number gone, its spaces single), or None: too short, an
    introduction to items of its own, or an instruction."""
    text = LEAD_NUMBER.sub("", " ".join(text.split()))
    return text if len(text) >= 20 and not _introduces(text) and not instruction_like(text) else None


def _place(whole: list[Passage], p: Passage) -> int | None:
    """Where passage ``p`` stands in ``whole`` (its section, in reading order), or None."""
    return next((i for i, q in enumerate(whole) if q.chunk_id == p.chunk_id), None)


def _opens(text: str, item: str) -> bool:
    """``text`` is the item ``item``, or its opening (its first sentence)."""
    n = min(len(text), len(item), 60)
    return text[:n] == item[:n]


def _item_opening(p: Passage) -> bool:
    """Passage ``p`` opens with a list's item."""
    text = _read(p).lstrip()
    return bool(_ITEM.match(text) or _BULLET.match(text))


def _introduces(text: str) -> bool:
    """``text`` introduces the items after it ("The key risks are:", "… are summarised below")."""
    return text.endswith(":") or bool(re.search(r"\b(below|as follows)\W*$", text, re.I))


# An item the report numbers with a label ("Risk 1 …", "Option 2 – …"), opening a line or a sentence
_LABELLED = re.compile(
    r"(?:(?:^|\n)[ \t]*(?:[-–*•][ \t]+)?|(?<=[.!?;:•])\s+)([A-Z][a-z]{2,20}) (\d{1,2})\b\s*[–—:-]?\s*(?=[A-Z“\"(])"
)


def _labelled(passages: list[Passage]) -> list[tuple[str, Passage]]:
    """The items of ``passages`` (in reading order) numbered with one label from 1 ("Risk 1 …",
    "Risk 2 – …"), each its label's first sentence; none unless two or more."""
    found: dict[str, dict[int, tuple[str, Passage]]] = {}
    for p in passages:
        text = _read(p)
        for m in _LABELLED.finditer(text):
            rest = text[m.start(1) :]
            sentence = " ".join(SENTENCE_SPLIT.split(rest, 1)[0].split())
            found.setdefault(m.group(1), {}).setdefault(int(m.group(2)), (sentence.rstrip(" ;,"), p))
    for numbered in found.values():
        run = [numbered[n] for n in range(1, len(numbered) + 1) if n in numbered]
        if len(run) >= 2 and len(run) == len(numbered):  # 1, 2, … with none missing
            return run
    return []


def _marked(text: str, inline: bool = False) -> list[str]:
    """The items of the lists in ``text``: its lines opening with an item's mark, else the text after
    each bullet set inside a line (as PDFs are read, "… • Information is … • Digital …")."""
    lines: list[str] = []
    going = False  # the line before is an item, which a line in lower case goes on with
    for line in text.split("\n"):
        if _ITEM.match(line):
            lines.append(_ITEM.sub("", line).strip())
            going = True
        elif going and line[:1].islower():
            lines[-1] += " " + line.strip()
        else:
            going = False
    parts = [part.strip() for part in _BULLET.split(text)[1:]] if inline else []
    items = parts if len(parts) > len(lines) else lines
    return [re.sub(r"^[a-z]\.\s+", "", t) for t in items]  # "a. The …" is "The …"


def open_answer(
    query: Query,
    passages: list[Passage],
    section: SectionReader | None,
    meaning: Meaning | None = None,
    search: ReportSearch | None = None,
) -> Extracted:
    """The key points of the section that best matches an open question, each quoted and cited
    (read whole through ``section`` when given, else from the retrieved passages). With ``meaning``,
    a section without a list gives its sentences closest to the question, and a question no section's words match is
    answered with the retrieved sentences closest in meaning instead of an abstention (and the
    lists of the report's passages ``search`` finds closest to it)."""
    summary = asks_summary(query)
    sections: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        if p.kind == "paragraph" and _read(p):
            sections.setdefault(_section_key(p), []).append(p)
    best: tuple[float, list[Passage]] | None = None
    titled = False  # the best section's heading is what the question asks for ("Next Steps", "Key Messages")
    for rank, ((_, heading), group) in enumerate(sections.items()):
        text = " ".join(_read(p) for p in group)
        frame = " ".join(p.context for p in group)
        s = coverage(query.terms, frame, text, context_weight=0.8) + 0.1 / (rank + 1)
        named = {_stem(w.lower()) for w in _words(heading) if w.lower() not in _STOP and not w[0].isdigit()}
        share = sum(1 for t in named if _found(t, set(query.terms))) / len(named) if named else 0.0
        # a heading that is what the question asks for ("Recommendations", not "Reasons for Recommendations")
        s += 0.2 * share
        if summary and re.search(r"\b(summary|purpose|introduction|overview|conclusions?)\b", heading, re.I):
            s += 0.3
        if best is None or s > best[0]:
            best, titled = (s, group), share == 1.0
    if meaning is not None and (best is None or best[0] < ABSTAIN_COVERAGE):
        return by_meaning(query, passages, meaning, section, search=search)
    if best is None or best[0] < ABSTAIN_COVERAGE:
        return Extracted(query, None, None, best[0] if best else 0.0, [], 0.0)
    # The best paragraph's own list if it has one, else the whole section's points.
    lead = max(best[1], key=lambda p: coverage(query.terms, _read(p), p.context, context_weight=0.8))
    group = section(lead) if section else best[1]
    own = [p for p in group if p.paragraph and p.paragraph == lead.paragraph]
    points = _points(own)
    introduced = _lists(own)
    if meaning is not None and len(introduced) > 1:
        points = []  # the paragraph introduces several lists: the one closest in meaning, not all their items
    elif len(introduced) == 1 and sum(len(_marked(_read(p))) for p in own) < 2:
        # one list set inside the paragraph's lines, as PDFs are read ("• 4.1 … the following priorities.
        # • a. … • b. …"), not two lines opening with an item's mark: its items, not each passage's first sentence
        points = next(iter(introduced.values()))[1]
    if len(points) < 2 and titled and not _lists(group) and len(_points(group, inline=True)) >= 2:
        # the section is what is asked for and introduces no list of its own: its points, in its order
        points = _points(group, inline=True)
    elif len(points) < 2 and titled and not _lists(group) and len(sentences(group)) >= 2:
        # … in one paragraph: its sentences, in its order (what it says, not only what echoes the question)
        points = sentences(sorted(group, key=lambda p: p.reading_order))
    elif len(points) < 2 and meaning is not None:  # no list: the section's sentences closest to the question
        # (its whole section is read already: ``section`` adds only the lists ``search`` leads to)
        ordered = sorted(group, key=lambda p: p.reading_order)
        got = by_meaning(query, ordered, meaning, section, per_section=MAX_POINTS, search=search)
        return got if got.answer is not None else by_meaning(query, passages, meaning, section, search=search)
    if len(points) < 2:
        points = _points(group)
    points = points[:MAX_POINTS]
    if not points:
        return Extracted(query, None, None, best[0], [], 0.0)
    return answer_points(query, points, lead.document, lead.under, best[0])


def by_meaning(
    query: Query,
    passages: list[Passage],
    meaning: Meaning,
    section: SectionReader | None = None,
    first: tuple[str, Passage] | None = None,
    per_section: int = 2,
    most: int = MAX_POINTS,
    search: ReportSearch | None = None,
) -> Extracted:
    """Up to ``most`` sentences of the retrieved passages (and their sections) closest in meaning to
    the question, at most ``per_section`` from one section, after ``first`` when given (a reason or
    an answer already chosen), or the items of a list one of them introduces; an abstention when
    none is within :data:`OPEN_FLOOR`. ``search`` finds a report's passages closest to a text: a
    why-question's reason that concludes from others is read with the passages most like it, and an
    open question with the lists of its report's passages closest to it."""
    if unnamed(query, *pool_of(passages)):
        return Extracted(query, None, None, 0.0, [], 0.0)  # a name or figure asked that no passage mentions
    pool = [p for p in passages if p.kind == "paragraph"]
    read = {p.chunk_id for p in pool}
    # a why-question's reason given: the sentence it concludes from when it points back ("Accordingly, …")
    anchor = _reason(*first) if first and query.qtype == "reason" else None
    if anchor and first and search is not None:
        # the reason given concludes from others the report states elsewhere ("for the reasons set out
        # above"): its report's passages most like it, read before the top passages' sections
        found = [q for q in search(anchor, _section_key(first[1])[0], ANCHOR_PASSAGES) if q.chunk_id not in read]
        read.update(q.chunk_id for q in found)
        pool += found
    if section is not None:
        for p in pool[:2]:  # the top passages' whole sections: what they go on to say
            more = [q for q in section(p) if q.chunk_id not in read]
            read.update(q.chunk_id for q in more)
            pool += more
    candidates = [
        (text, p) for text, p in sentences(pool) if (not first or text != first[0]) and not conflicts(query, text, p)
    ][:MEANING_POOL]
    listed = pool
    if search is not None and (query.qtype == "open" or query.account) and pool:
        # an open question's report: the lists its passages closest to the question are part of (a
        # list is often chunked apart from its introduction, and neither ranks among the passages read)
        found = search(query.text, _section_key(pool[0])[0], REPORT_PASSAGES)
        listed = pool + _list_passages([q for q in found if q.chunk_id not in read], section, read)
    lists = {lead: got for lead, got in _lists(listed).items() if not conflicts(query, lead, got[0])}
    # the reason or answer already chosen is ranked too, so that a list is taken only when it ranks near it;
    # a list is ranked by its introduction read with the sentence before it too ("… with some
    # improvements. The key recommendations were:"): an introduction alone says little
    intros = {intro: lead for lead, (p, _) in lists.items() for intro in _introductions(lead, p, listed)}
    leads = [(intro, lists[lead][0]) for intro, lead in intros.items()]
    ranked = _ranked(query, candidates + leads + ([first] if first else []), meaning, with_scores=True, anchor=anchor)
    ranked = _once(ranked, intros)
    # an open question asks for several things: a list whose introduction is nearly the closest sentence
    top = max((c for _, _, c in ranked[:LIST_RANK]), default=0.0)
    lead = next(
        (
            t
            for n, (t, _, c) in enumerate(ranked[:OPEN_LIST_RANK])
            if t in lists and c >= OPEN_FLOOR and (n < LIST_RANK or query.qtype == "open" and c >= top - LIST_MARGIN)
        ),
        None,
    )
    if lead is not None:
        # a sentence among the closest to the question introduces a list ("The key risks are:"): the
        # report's own points, so its items are the answer's
        p = lists[lead][0]
        items = lists[lead][1][:MAX_POINTS]
        sure = max(ABSTAIN_COVERAGE, coverage(query.terms, " ".join([lead, *(t for t, _ in items)]), p.context))
        if first and query.qtype == "reason":  # the reason given stays first
            items = [_with_antecedent(*first), *items[: MAX_POINTS - 1]]
        return answer_points(query, items, p.document, trim(lead, 160), sure, also=p)
    chosen = [_with_antecedent(*first)] if first else []
    if first and query.account:  # an account quoted from a list's item: the other items of its list next
        whole = section(first[1]) if section is not None else [first[1]]
        chosen += [item for item in _siblings(*first, whole) if not any(same(item[0], t) for t, _ in chosen)][
            : most - 1
        ]
    taken: dict[tuple[str, str], int] = {}  # points taken from each section
    if first and query.qtype == "reason" and section is not None:
        # the reason given goes on in the sentences after it ("… historically short term and tactical.
        # Consequently … 700+ applications …"): they come next, while close in meaning
        more = _going_on(query, first, section(first[1]), meaning)[: most - len(chosen)]
        chosen += [m for m in more if not any(same(m[0], t) for t, _ in chosen)]
        taken[_section_key(first[1])] = len(more)
    for text, p, closeness in ranked:
        if len(chosen) >= most:
            break
        if text in lists or first and text == first[0]:
            continue
        if closeness < OPEN_FLOOR:
            continue  # ranked high for its words, but not close in meaning
        key = _section_key(p)
        if chosen and key[0] != _section_key(chosen[0][1])[0]:
            continue  # the points of one report, the one the answer names
        if taken.get(key, 0) >= per_section or any(same(text, t) for t, _ in chosen):
            continue
        taken[key] = taken.get(key, 0) + 1
        chosen.append((text, p))
    if not chosen:
        return Extracted(query, None, None, 0.0, [], 0.0)
    head = chosen[0][1]
    sure = max(ABSTAIN_COVERAGE, coverage(query.terms, chosen[0][0], head.context))
    return answer_points(query, chosen, head.document, "", sure)


_BULLETS = "•◆▪"
_LETTER = r"(?:\(?[a-z]\)|[a-z]\.)"  # an item's letter: "a.", "a)", "(a)"
# An item's mark: a bullet (after text: not tried again inside a run of spaces), or a dash or a
# letter opening a line (a text or Markdown rendition's list), a bullet's own letter ("• a. The …") with it
_BULLET = re.compile(
    rf"(?:(?<!\s)\s*[{_BULLETS}]\s+|(?:^|\n)[ \t]*[-–*]\s+|(?:^|\n)[ \t]*(?={_LETTER}\s))(?:{_LETTER}\s+)?"
)
# A sentence introducing a list, the list after it or in the passage that follows: it ends with a
# colon, or names what follows ("… resource the following priorities for the force."); it may open
# a numbered paragraph ("7.1 The inspectors raised these concerns:")
_LEAD_IN = re.compile(
    rf"(?:^|(?<=[.!?;]\s)|(?<=\n)|(?<=[{_BULLETS}]\s))(?:[-–*]\s+)?(?:\d{{1,2}}(?:\.\d{{1,2}}){{0,3}}\.?\s+)?"
    rf"([A-Z][^.!?:\n{_BULLETS}]{{14,250}}(?::|\bfollowing\b[^.!?:\n{_BULLETS}]{{0,80}}\.))"
    rf"\s*(?=[{_BULLETS}]|[-–*]\s|{_LETTER}\s|$)"
)


# A sub-item's mark as Word sets it under a bullet ("o", in Courier New), opening a line or a chunk
_SUB_ITEM = re.compile(r"\s*o\s+(?=[A-Z“\"(])")
# Where a sentence starts: after a sentence's end, a line's end or a bullet (an item's opening)
_STATEMENT_START = re.compile(rf"(?<=[.!?;])\s+(?=\S)|\n\s*|\s*[{_BULLETS}]\s*")


def _lists(pool: list[Passage]) -> dict[str, tuple[Passage, list[tuple[str, Passage]]]]:
    """Each sentence of ``pool`` that introduces a bulleted list, with its passage and the list's
    items (two or more), read on into the next passages of its section while they go on with it."""
    sections: dict[tuple[str, str], dict[str, Passage]] = {}
    for p in pool:
        sections.setdefault(_section_key(p), {})[p.chunk_id] = p
    out: dict[str, tuple[Passage, list[tuple[str, Passage]]]] = {}
    for group in sections.values():
        ordered = sorted(group.values(), key=lambda p: p.reading_order)
        for i, p in enumerate(ordered):
            text = _read(p)
            for m in _LEAD_IN.finditer(text):
                raw, ended = _items(text[m.end() :], p)
                at = p
                for q in ordered[i + 1 :]:  # the passage straight after, while the list goes on
                    if ended or len(raw) >= MAX_POINTS or not _follows(at, q):
                        break
                    following = _read(q)
                    if not _BULLET.match(following):
                        # a chunk opening inside the last item (its end, one of its sub-items, or the
                        # chunks' overlap): that item goes on with it, and the list with its bullets after
                        sub = _SUB_ITEM.match(following)
                        cut = _BULLET.search(following) if raw and (sub or following[:1].islower()) else None
                        if cut is None and not (sub and raw):
                            break
                        raw[-1] = (_joined(raw[-1][0], following[: cut.start() if cut else None]), raw[-1][1])
                        if cut is None:  # sub-items only: the list may go on in the next chunk
                            at = q
                            continue
                        following = following[cut.start() :]
                    more, ended = _items(following, q)
                    raw, at = raw + more, q
                items: list[tuple[str, Passage]] = []
                for t, q in raw:
                    t = re.sub(r"[;,]? (and|or)$", "", " ".join(t.split()).rstrip(" ;,"))
                    if len(t.split()) >= 3 and not instruction_like(t) and t not in (x for x, _ in items):
                        items.append((t, q))  # a chunk's overlap repeats the items it shares
                if len(items) >= 2:
                    out.setdefault(" ".join(m.group(1).split()), (p, items))
    return out


def _joined(text: str, more: str) -> str:
    """``text`` going on with ``more``, the words they share where they meet (a chunks' overlap) once."""
    head, tail = " ".join(text.split()), " ".join(more.split())
    for n in range(min(len(head), len(tail), 120), 2, -1):  # the longest end of ``text`` that ``more`` opens with
        if head.endswith(tail[:n]) and head[-n - 1 : -n] in ("", " "):  # from a word's start
            return head + tail[n:]
    return f"{head} {tail}"


def _once(ranked: list, intros: dict[str, str]) -> list:
    """``ranked`` (text, passage, closeness) with each list's readings (``intros``: reading -> its
    introduction) as the introduction, once, where its best reading ranks."""
    out, seen = [], set()
    for text, p, c in ranked:
        lead = intros.get(text)
        if lead is None:
            out.append((text, p, c))
        elif lead not in seen:
            seen.add(lead)
            out.append((lead, p, c))
    return out


def _introductions(lead: str, p: Passage, pool: list[Passage]) -> list[str]:
    """The readings a list is ranked by: its introduction, and with the statement before it (in its
    passage, else ending the passage before in its section) when there is one: not a list's item."""
    text = re.sub(r"[ \t]+", " ", _read(p))
    at = text.find(lead)
    before = text[:at] if at >= 0 else ""
    if at >= 0 and not before.strip():
        prior = [q for q in pool if _section_key(q) == _section_key(p) and q.reading_order < p.reading_order]
        last = max(prior, key=lambda q: q.reading_order, default=None)
        before = re.sub(r"[ \t]+", " ", _read(last)) if last is not None and _follows(last, p) else ""
    before = before.rstrip()
    ends = list(_STATEMENT_START.finditer(before))
    start = ends[-1] if ends else None
    sentence = LEAD_NUMBER.sub("", before[start.end() :] if start else before.lstrip())
    if not sentence or start and re.search(f"[{_BULLETS}]", start.group()) or _ITEM.match(sentence):
        return [lead]  # none, or an item of a list before
    return [lead, f"{sentence} {lead}"] if point_like(sentence, p) else [lead]


def _list_passages(found: list[Passage], section: SectionReader | None, read: set[str]) -> list[Passage]:
    """``found`` with, for each one going on with a list (opening with a bullet or in lower case), the
    passages before it in its section back to the list's introduction and the one before that."""
    out = list(found)
    have = read | {p.chunk_id for p in found}
    sections: dict[tuple[str, str], list[Passage]] = {}  # each section read once, however many passages it gives
    for p in found:
        text = _read(p).lstrip()
        if section is None or not (_BULLET.match(text) or text[:1].islower()):
            continue
        if _section_key(p) not in sections:
            sections[_section_key(p)] = section(p)
        whole = sections[_section_key(p)]
        at = _place(whole, p)
        if at is None:
            continue
        start = at
        while start > 0 and at - start < MAX_POINTS and _follows(whole[start - 1], whole[start]):
            start -= 1
            if _LEAD_IN.search(_read(whole[start])) is not None:
                start = max(start - 1, 0)  # the introduction's passage, and the sentence before it
                break
        for q in whole[start:at]:
            if q.chunk_id not in have:
                have.add(q.chunk_id)
                out.append(q)
    return out


def _items(text: str, p: Passage) -> tuple[list[tuple[str, Passage]], bool]:
    """The bulleted items opening ``text`` (after the sentence introducing them), and whether the
    list ends in it: at a line that neither is an item nor goes on with one (in lower case), or at
    the next list's introduction."""
    nxt = _LEAD_IN.search(text, 1)
    items: list[tuple[str, Passage]] = []
    for part in _BULLET.split(text[: nxt.start()] if nxt else text)[1:]:
        lines = part.split("\n")
        kept = 1 + next((n for n, line in enumerate(lines[1:]) if not line[:1].islower()), len(lines) - 1)
        items.append((" ".join(lines[:kept]), p))
        if any(line.strip() for line in lines[kept:]):
            return items, True
    return items, nxt is not None


def _follows(a: Passage, b: Passage) -> bool:
    """Passage ``b`` goes on straight after ``a`` (its span starts where ``a``'s ends, overlap allowed)."""
    end, start = a.metadata.get("span_end"), b.metadata.get("span_start")
    if not isinstance(end, int) or not isinstance(start, int):
        return (b.page or 0) - (a.page or 0) in (0, 1)
    return start <= end + 5


# A sentence that points back to what it concludes from ("Accordingly, …", "For these reasons, …")
_BACK_REFERENCE = re.compile(
    r"^(?:accordingly|therefore|consequently|thus|hence|as a result|for (?:these|those|the) reasons?\b[^,]{0,40}|"
    r"for (?:all )?(?:the )?(?:above|foregoing) reasons?|in (?:the )?light of (?:this|these|the above)|in conclusion)\b",
    re.I,
)


def _going_on(
    query: Query, first: tuple[str, Passage], whole: list[Passage], meaning: Meaning
) -> list[tuple[str, Passage]]:
    """The sentences after ``first`` in its passage and the passages going on straight after it in its
    section ``whole``, in order, while each is within :data:`OPEN_FLOOR` of the question or of ``first``
    (four at most)."""
    at = _place(whole, first[1])
    if at is None:
        return []
    end = at
    while end + 1 < len(whole) and end - at < MAX_POINTS and _follows(whole[end], whole[end + 1]):
        end += 1
    run = whole[at : end + 1]
    said = sentences(run)
    start = next((i for i, (t, _) in enumerate(said) if _opens(first[0], t) or same(first[0], t)), None)
    if start is None:
        return []
    after = said[start + 1 : start + MAX_POINTS]
    out: list[tuple[str, Passage]] = []
    texts = [t for t, _ in after]
    for (text, p), c in zip(after, map(max, meaning(query.text, texts), meaning(first[0], texts))):
        if c < OPEN_FLOOR or conflicts(query, text, p):
            break  # the report has moved on
        out.append((text, p))
    return out


def _with_antecedent(text: str, p: Passage) -> tuple[str, Passage]:
    """A point that concludes from the sentence before it ("Accordingly, I conclude that the appeal
    should be dismissed.") with that sentence, which states the reason, before it."""
    if not _BACK_REFERENCE.match(text):
        return text, p
    sentences = [" ".join(s.split()) for s in SENTENCE_SPLIT.split(_read(p))]
    sentences = [s for s in sentences if not re.fullmatch(r"[\d.()]*", s)]  # a paragraph's number alone
    at = next((i for i, s in enumerate(sentences) if s.endswith(text[-40:]) or text.startswith(s[:40])), None)
    if not at:
        return text, p
    before = LEAD_NUMBER.sub("", sentences[at - 1])
    return (f"{before} {text}", p) if point_like(before, p) else (text, p)


def _reason(text: str, p: Passage) -> str:
    """The reason a point states: the sentence before it when it concludes from that sentence, else itself."""
    whole = _with_antecedent(text, p)[0]
    return whole[: -len(text)].strip() if whole != text and whole.endswith(text) else text


def _section_key(p: Passage) -> tuple[str, str]:
    """The report and the heading a passage stands under: one section."""
    return report_of(p), p.under


def asks_summary(query: Query) -> bool:
    """The question asks for a summary ("Summarise …", "a summary of …"), of a report or of a topic."""
    return bool(re.search(r"\bsummar", query.text, re.I))


def sentences(passages: list[Passage]) -> list[tuple[str, Passage]]:
    """The whole sentences of ``passages`` that could be a point: not a heading, a fragment or an instruction."""
    out: list[tuple[str, Passage]] = []
    seen: set[str] = set()
    for p in passages:
        for raw in SENTENCE_SPLIT.split(_read(p)):
            text = _ITEM.sub("", " ".join(raw.split()).strip(" •-–"))  # "6.2 A second …": its number goes
            if text not in seen and point_like(text, p):
                seen.add(text)
                out.append((text, p))
    return out


def point_like(text: str, p: Passage) -> bool:
    """``text`` (of passage ``p``) reads as a point: a whole sentence, not a heading, a fragment, the
    report's title or cover, or an instruction."""
    if len(text) < 40 or instruction_like(text) or text.endswith((":", "?")):
        return False
    if not (text[0].isupper() or text[0] in '“"(') or text.upper() == text or text in (p.heading, p.document):
        return False  # a fragment ("… and the"), a heading in capitals, the report's title
    if len(p.document) >= 12 and re.match(re.escape(p.document) + r"\s+[A-Z]", text):
        return False  # the cover: the title run into what follows it (not "Cumbria Constabulary has …")
    return text.endswith((".", "”", '"', ";")) or len(text) >= 80


def _ranked(
    query: Query,
    points: list[tuple[str, Passage]],
    meaning: Meaning,
    with_scores: bool = False,
    anchor: str | None = None,
) -> list:
    """``points`` best first: closeness in meaning (to the question, or to ``anchor``, the reason already
    given, when closer), then the question's words, then a reason for a why-question."""
    if not points:
        return []
    closeness = meaning(query.text, [t for t, _ in points])
    if anchor:  # the texts' vectors are kept from the call before: only the anchor is encoded
        closeness = [max(c, a) for c, a in zip(closeness, meaning(anchor, [t for t, _ in points]))]
    scored = []
    for (text, p), c in zip(points, closeness):
        s = c + 0.3 * coverage(query.terms, text) + (0.1 if query.qtype == "reason" and _CAUSE.search(text) else 0.0)
        scored.append((s, c, text, p))
    scored.sort(key=lambda x: -x[0])
    return [(t, p, c) for _, c, t, p in scored] if with_scores else [(t, p) for _, _, t, p in scored]


def same(a: str, b: str) -> bool:
    """Two points saying much the same (most of the shorter one's words are in the other)."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) >= 0.8 * min(len(wa), len(wb))


def _own_paragraph(text: str, p: Passage) -> str | None:
    """The report's number for the paragraph a point is quoted from: the last number opening a
    paragraph up to it in the passage ("10.1", not the passage's first, "10"), else the passage's."""
    words = text.split()[:6]
    at = re.search(r"\s+".join(map(re.escape, words)), p.text) if words else None
    upto = p.text[: at.start() + 1] if at else ""  # with the point's first letter, which a number precedes
    found = [m.group(1).rstrip(".") for m in _OWN_NUMBER.finditer(upto)]
    return found[-1] if found else p.paragraph


def answer_points(
    query: Query,
    points: list[tuple[str, Passage]],
    document: str,
    where: str,
    sure: float,
    also: Passage | None = None,
) -> Extracted:
    lines = [f"{KEY_POINTS} {document}" + (f", “{where}”" if where else "") + ":"]
    for n, (text, p) in enumerate(points, 1):
        lines.append(f"{n}. “{trim(text, POINT_LENGTH)}” ({p.location(_own_paragraph(text, p)) or 'text'})")
    # ``also``: the passage quoted in the heading (a list's introduction), cited with the points
    support = list({p.chunk_id: p for p in [*(p for _, p in points), *([also] if also else [])]}.values())
    return Extracted(query, "\n".join(lines), None, sure, support, sure)
