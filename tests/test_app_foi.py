"""The FOI finder and the audit tab in a real browser (issue 29): a search nothing matches says so, results
end where relevance ends, a refused export is said beside the button and goes with the next search, the
CSV's columns, and the audit tab naming an uploaded file with the local time and its zone."""

import csv
import io
import re
from pathlib import Path

import pytest
from test_server import _login, _option, _shot, app_server, browser  # noqa: F401  (fixtures)

from assistant.web.handlers import EXPORT_FIELDS

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.browser]


def _search(page, text: str) -> str:
    """Search in the FOI tab; the status line once this search's answer is shown."""
    page.locator("#foi-query textarea").fill(text)
    page.locator("#foi-search").click()
    page.wait_for_function(
        "([t]) => { const s = document.querySelector('#foi-status'); return s && s.innerText.includes(t); }",
        arg=[text],
    )
    return page.locator("#foi-status").inner_text()


def test_foi_results_end_where_relevance_ends(app_server, browser):  # noqa: F811
    url, _ = app_server
    page = _login(browser, url, "fiona")
    page.get_by_role("tab", name="Find passages (FOI)").click()

    status = _search(page, "contract values")
    assert "No relevant passages" in status and "contract values" in status
    assert page.locator("#foi-selected label", has_text=re.compile(r"^\s*\d+\. ")).count() == 0
    _shot(page, "30-foi-no-relevant-passages")

    # A search in Welsh is told, beside its results, that the reports are read in English.
    status = _search(page, "Faint oedd cyllideb y gwasanaeth TGCh yn 2018/19?")
    assert "looks like Welsh" in status and "English" in status
    _shot(page, "30b-foi-welsh-notice")

    status = _search(page, "Airwave")
    _option(page, 1).wait_for()
    shown = page.locator("#foi-selected label", has_text=re.compile(r"^\s*\d+\. ")).count()
    assert 1 <= shown < 10 and f"{shown} passage" in status
    for n in range(shown):  # no heading on its own, no broken line: each result is a passage of words
        passage = page.locator(f"#foi-results [data-testid=cell-{n}-8]").inner_text()
        assert len(re.findall(r"[A-Za-z]{2,}", passage)) >= 4, passage
    _shot(page, "31-foi-airwave-relevant-only")

    # A refused export is said beside the button, and goes with the next search.
    _search(page, "Samsung Galaxy devices deployed")
    page.locator("#foi-selected label", has_text="[restricted]").first.click()
    page.locator("#foi-export").click()
    refusal = page.locator("#foi-csv .foi-refusal")
    refusal.wait_for()
    assert "come from restricted reports" in refusal.inner_text()
    assert page.locator(".toast-body").count() == 0, "no pop-up"
    _shot(page, "32-foi-refusal-inline")
    _search(page, "Airwave")
    page.wait_for_function("() => !document.querySelector('#foi-csv .foi-refusal')")

    # "Select all" exports what was shown, and nothing else: every passage carries the word (no filler).
    # The CSV gives the page as the citation does, the disclosure reason, no server path, the id last.
    for n in range(1, shown + 1):
        _option(page, n).click()
    page.locator("#foi-include-restricted input").check()
    page.locator("#foi-export").click()
    page.locator("#foi-csv a, #foi-csv .foi-refusal").first.wait_for()
    _shot(page, "33-foi-export-all-shown")
    with page.expect_download() as download:
        page.locator("#foi-csv a").first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames == EXPORT_FIELDS and reader.fieldnames[-1] == "passage_id"
    assert len(rows) == shown and all("airwave" in (r["passage"] + r["heading"]).lower() for r in rows)
    assert rows[0]["page"] and rows[0]["page"] in rows[0]["citation"]
    assert rows[0]["file"].endswith(".pdf") and "/" not in rows[0]["file"] and "/tmp" not in text
    page.context.close()


def test_the_audit_tab_names_the_uploaded_file_in_local_time(app_server, browser, tmp_path):  # noqa: F811
    url, _ = app_server
    report = tmp_path / "fleet-review-2024.txt"
    report.write_text("Fleet Review 2024\n\n2.1 The fleet has 212 vehicles, nine of them electric.\n", encoding="utf-8")
    page = _login(browser, url, "ada")
    page.get_by_role("tab", name="Report library").click()
    page.locator("#upload input[type=file]").set_input_files([str(report)])
    page.locator("#add-reports").click()
    page.locator("#upload-result li").first.wait_for(timeout=120_000)
    page.get_by_role("tab", name="Audit log").click()
    page.locator("#audit-user textarea, #audit-user input").first.fill("ada")
    page.locator("#audit-show").click()
    page.wait_for_function("() => document.querySelector('#audit-table').innerText.includes('fleet-review-2024.txt')")
    headers = page.locator("#audit-table th").all_inner_texts()
    assert "Report or file" in " ".join(headers)
    table = page.locator("#audit-table")
    row = next(
        r for r in range(20) if "fleet-review-2024.txt" in table.locator(f"[data-testid=cell-{r}-10]").inner_text()
    )
    assert table.locator(f"[data-testid=cell-{row}-5]").inner_text().strip() == "upload"
    when = table.locator(f"[data-testid=cell-{row}-1]").inner_text().strip()
    assert re.fullmatch(r"\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} (?:[A-Z]\S*|[+-]\d+)", when), when  # BST, UTC, +03
    _shot(page, "34-audit-names-the-uploaded-file")
    # Every header reads whole on one line: no column is too narrow for its name.
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('#audit-table th')].filter(
               th => th.scrollWidth > th.clientWidth + 1 || th.innerText.trim().includes('\\n')).map(th => th.innerText)"""
    )
    assert clipped == []
    page.context.close()
