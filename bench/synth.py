"""A synthetic OPCC archive for the scale benchmarks: reports with numbered paragraphs,
headings, financial tables and a disclosure statement, as text (and a share as PDF), plus
question/answer pairs about each report's figures in the evaluation's JSONL format.

Usage: python bench/synth.py OUT_DIR [--reports 2000] [--pdf-share 0.1] [--seed 7] [--quarterly]
About 53 chunks a report: 2,350 reports make about 125,000 chunks; with --quarterly (four
quarterly updates beside each annual report) up to 22,550 reports, about 1.2 million chunks.
The reports are alike by design (same forces, topics and templates), so retrieval must find
the right one by force, topic, year (and quarter) among many similar ones; each has one report.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from pdfgen import make_pdf  # noqa: E402  (the test suite's small PDF writer)

FORCES = [
    "Avon and Somerset",
    "Bedfordshire",
    "Cambridgeshire",
    "Cheshire",
    "Cleveland",
    "Cumbria",
    "Derbyshire",
    "Devon and Cornwall",
    "Dorset",
    "Durham",
    "Dyfed-Powys",
    "Essex",
    "Gloucestershire",
    "Greater Manchester",
    "Gwent",
    "Hampshire",
    "Hertfordshire",
    "Humberside",
    "Kent",
    "Lancashire",
    "Leicestershire",
    "Lincolnshire",
    "Merseyside",
    "Norfolk",
    "North Wales",
    "North Yorkshire",
    "Northamptonshire",
    "Northumbria",
    "Nottinghamshire",
    "South Wales",
    "South Yorkshire",
    "Staffordshire",
    "Suffolk",
    "Surrey",
    "Sussex",
    "Thames Valley",
    "Warwickshire",
    "West Mercia",
    "West Midlands",
    "West Yorkshire",
    "Wiltshire",
]
TOPICS = {
    "ICT and Digital Services": (
        ["Airwave", "Network Services", "Service Desk", "Mobile Data", "Digital Evidence", "Cyber Security"],
        "requests for service",
        "devices deployed",
    ),
    "Estates Strategy": (
        ["Custody Suites", "Station Refurbishment", "Energy", "Facilities Management", "Disposals", "Leases"],
        "buildings surveyed",
        "square metres released",
    ),
    "Fleet Services": (
        ["Vehicle Leasing", "Fuel", "Maintenance", "Telematics", "Electric Vehicles", "Insurance"],
        "vehicles serviced",
        "miles driven",
    ),
    "Victim Services": (
        [
            "Victim Care Unit",
            "Restorative Justice",
            "Domestic Abuse Support",
            "Sexual Violence Services",
            "Witness Care",
            "Hate Crime Support",
        ],
        "victims referred",
        "cases closed",
    ),
    "Workforce Planning": (
        ["Police Officers", "PCSOs", "Police Staff", "Special Constables", "Training", "Overtime"],
        "officers recruited",
        "training days delivered",
    ),
    "Contact Management": (
        [
            "Control Room",
            "Switchboard",
            "Online Reporting",
            "Call Handling Technology",
            "Resolution Centre",
            "Digital Desk",
        ],
        "emergency calls answered",
        "online reports received",
    ),
    "Custody Services": (
        [
            "Custody Staffing",
            "Healthcare Contract",
            "Detainee Meals",
            "Custody Maintenance",
            "Independent Custody Visitors",
            "Appropriate Adults",
        ],
        "detainees booked in",
        "custody visits made",
    ),
    "Road Safety": (
        [
            "Speed Enforcement",
            "Safety Cameras",
            "Casualty Reduction",
            "Roads Policing Unit",
            "Education Programmes",
            "Community Speedwatch",
        ],
        "speeding offences processed",
        "drivers referred to courses",
    ),
    "Professional Standards": (
        ["Complaints Handling", "Vetting", "Anti-Corruption", "Misconduct Hearings", "Legal Costs", "Appeals Reviews"],
        "complaints recorded",
        "vetting checks completed",
    ),
    "Commissioning and Grants": (
        [
            "Community Safety Fund",
            "Youth Diversion",
            "Substance Misuse",
            "Mental Health Triage",
            "Rural Crime",
            "Neighbourhood Grants",
        ],
        "grant applications received",
        "projects funded",
    ),
}
YEARS = range(2014, 2025)
HEADINGS = [
    "Purpose of the Report",
    "Background",
    "Performance",
    "Financial Considerations",
    "Risks",
    "Equality Implications",
    "Public Interest",
    "Recommendation",
]
FILLER = [
    "The programme board meets monthly and reports to the Commissioner's strategic resources meeting.",
    "Progress in {force} has been reviewed against the priorities of the Police and Crime Plan.",
    "Collaboration with neighbouring forces continues where it offers value for money.",
    "The work is overseen by the Joint Audit Committee, which received an update during {period}.",
    "Benefits realisation will be reported in the next annual update.",
    "Staff engagement sessions were held across {force}, with {n} staff attending.",
    "A review of {item} arrangements was completed in {month} and its actions are being tracked.",
    "The risk register records {n} open risks, none of which is rated red.",
    "Procurement for {item} followed the force's contract standing orders.",
    "Feedback from {n} members of the public informed the priorities for the coming year.",
]
QUARTERS = ["Q1", "Q2", "Q3", "Q4"]
MONTHS = [["April", "May", "June"], ["July", "August", "September"], ["October", "November", "December"]]
MONTHS.append(["January", "February", "March"])  # a financial year's quarters


def _money(rng: random.Random, low: int, high: int) -> int:
    return rng.randrange(low, high) * 1000 + rng.randrange(0, 1000)


def report(
    rng: random.Random, n: int, force: str, topic: str, year: int, quarter: int = 0
) -> tuple[str, list[dict], str]:
    """One report's text, its questions, and a file stem: the year's annual report, or (``quarter``
    1-4) its quarterly update."""
    items, count_word, count_word2 = TOPICS[topic]
    period = f"{year}/{str(year + 1)[-2:]}"
    day, month = rng.randrange(1, 28), rng.choice(["June", "July", "September", "October", "November"])
    title = f"{force} Police and Crime Commissioner: {topic} Annual Report {period}"
    if quarter:
        title = f"{force} Police and Crime Commissioner: {topic} Quarter {quarter} Update {period}"
        period = f"Q{quarter} {period}"
    count, count2 = rng.randrange(1200, 60000), rng.randrange(20, 4000)
    pct = round(rng.uniform(2, 35), 1)
    budget_rows = []
    for item in items:
        budget = _money(rng, 80, 4000)
        spend = budget + rng.randrange(-budget // 6, budget // 6)
        budget_rows.append((item, budget, spend, budget - spend))
    total_b, total_s = sum(r[1] for r in budget_rows), sum(r[2] for r in budget_rows)
    under = total_b - total_s
    lines = [f"TITLE: {title}", f"Date: {day} {month} {year + 1}", ""]
    questions: list[dict] = []
    para = 0
    for h, heading in enumerate(HEADINGS, 1):
        lines += [f"{h}. {heading.upper()}", ""]
        sub = 0

        def add(text: str, h: int = h, lines: list[str] = lines) -> str:
            nonlocal sub
            sub += 1
            lines.append(f"{h}.{sub} {text}")
            lines.append("")
            return f"{h}.{sub}"

        if heading == "Purpose of the Report":
            add(f"This report updates the Commissioner on {topic.lower()} in {force} during {period}.")
        elif heading == "Performance":
            sentence = f"There were {count:,} {count_word} in {period}, of which {pct}% were handled online."
            add(sentence)
            questions.append(
                {
                    "question": f"How many {count_word} were there in {force} in {period}?",
                    "expected": [f"{count:,}"],
                    "evidence": f"There were {count:,} {count_word}",
                    "type": "prose",
                }
            )
            add(
                f"A further {count2:,} {count_word2} were recorded, compared with {rng.randrange(20, 4000):,} the year before."
            )
            questions.append(
                {
                    "question": f"How many {count_word2} did {force} record in its {topic.lower()} report for {period}?",
                    "expected": [f"{count2:,}"],
                    "evidence": f"A further {count2:,} {count_word2}",
                    "type": "prose",
                }
            )
        elif heading == "Financial Considerations":
            add(
                f"Overall, the {topic.lower()} budgets were underspent for the year by £{under:,}."
                if under >= 0
                else f"Overall, the {topic.lower()} budgets were overspent for the year by £{-under:,}."
            )
            questions.append(
                {
                    "question": f"By how much were the {topic.lower()} budgets {'underspent' if under >= 0 else 'overspent'} in {force} in {period}?",
                    "expected": [f"£{abs(under):,}"],
                    "evidence": f"for the year by £{abs(under):,}",
                    "type": "prose",
                }
            )
            add(f"The table below shows financial performance for {period}.")
            lines.append(f"Financial Performance {period} | Budget | Expenditure | Variance")
            for item, b, s, v in budget_rows:
                lines.append(f"{item} | {b:,} | {s:,} | {v:,}")
            lines.append(f"Total | {total_b:,} | {total_s:,} | {under:,}")
            lines.append("")
            # An annual report breaks the year down by quarter; a quarterly update, its quarter by month.
            columns, by = (MONTHS[quarter - 1], "month") if quarter else (QUARTERS, "quarter")
            add(f"{by.capitalize()}ly {count_word} in {period} were as follows.")
            lines.append(f"{count_word.capitalize()} by {by} {period} | " + " | ".join(columns))
            for item in rng.sample(items, 4):
                lines.append(f"{item} | " + " | ".join(f"{rng.randrange(50, 5000):,}" for _ in columns))
            lines.append("")
            item, b, s, v = rng.choice(budget_rows)
            questions.append(
                {
                    "question": f"What was the {item} budget for {force} in {period}?",
                    "expected": [f"{b:,}"],
                    "evidence": f"{b:,}",
                    "type": "table",
                }
            )
        elif heading == "Public Interest":
            add(
                "This document can be disclosed to the public."
                if rng.random() < 0.7
                else "Is there a Part 2 form - YES"
            )
        else:
            for _ in range(rng.randrange(6, 11)):
                para += 1
                add(
                    rng.choice(FILLER).format(
                        force=force,
                        period=period,
                        n=rng.randrange(3, 400),
                        item=rng.choice(items),
                        month=rng.choice(["April", "August", "January", "March"]),
                    )
                )
    slug = f"{force.lower().replace(' ', '-')}-{topic.lower().split()[0]}-{year}{f'-q{quarter}' if quarter else ''}-{n:05d}"
    for i, q in enumerate(questions):
        q.update({"id": f"{slug}-q{i}", "report": slug, "unanswerable": False})
    return "\n".join(lines), questions, slug


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--pdf-share", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--quarterly", action="store_true", help="quarterly updates too: up to 22,550 reports (1.2M chunks)"
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = Path(args.out)
    # One report per force, topic and year, as in a real archive: two different reports with the
    # same title would make their questions unanswerable rather than hard.
    combos = list(itertools.product(FORCES, TOPICS, YEARS, range(5) if args.quarterly else [0]))
    if args.reports > len(combos):
        ap.error(f"at most {len(combos)} reports (one per force, topic, year and kind)")
    chosen = rng.sample(combos, args.reports)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    with open(out / "questions.jsonl", "w", encoding="utf-8") as qf:
        for n in range(args.reports):
            text, questions, slug = report(rng, n, *chosen[n])  # quarter 0: the annual report
            if rng.random() < args.pdf_share:
                lines = text.splitlines()
                pages = [lines[i : i + 45] for i in range(0, len(lines), 45)]
                (out / "reports" / f"{slug}.pdf").write_bytes(make_pdf(pages, title=lines[0].removeprefix("TITLE: ")))
            else:
                (out / "reports" / f"{slug}.txt").write_text(text, encoding="utf-8")
            for q in questions:
                qf.write(json.dumps(q) + "\n")
    print(f"{args.reports} reports and their questions in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
