"""What each notice reason needs as evidence (rules/evidence.yaml), and the exact messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from generator import evidence_checks, lint
from generator.diagnostics import Severity
from generator.loader import parse_case
from generator.resources import RULES, SCHEMAS
from generator.validate import _registry, validate_case
from tests.helpers import run

BAD = Path("tests/lint/bad-evidence.yaml")
SETTINGS = lint.load_settings()


def _found(text: str) -> list[str]:
    case = parse_case("x.yaml", text)
    assert validate_case(case) == []
    return [d.format() for d in evidence_checks.check_case(case, SETTINGS)]


def _two_asins(evidence: str, extra: str = "") -> str:
    """An inauthentic case for two ASINs, brand owner (no authorisation letter needed)."""
    return (
        Path("tests/minimal-4d.yaml")
        .read_text()
        .replace("reason: other-policy", "reason: inauthentic")
        .replace("asins: [B07XYZ1234]", "asins: [B07XYZ1234, B08ABC5678]")
        .replace("charger B07XYZ1234", "chargers B07XYZ1234 and B08ABC5678")
        .replace(
            "  merchant_token: A2WEBERPOWER7Q\n",
            "  merchant_token: A2WEBERPOWER7Q\n"
            "  brand_owner: true\n"
            "suppliers:\n"
            "  - id: S1\n"
            "    name: Shenzhen Volt Co., Ltd.\n"
            "    address: 12 Keji Road, Shenzhen 518057, China\n"
            "    phone: +86 755 1234 5678\n"
            "    email: sales@szvolt.example\n"
            "    website: https://www.szvolt.example\n" + extra,
        )
        .split("evidence:\n  - id: E1")[0]
        + "evidence:\n"
        + evidence
    )


INVOICE = """  - id: E{n}
    file: evidence/invoice-e{n}.pdf
    kind: invoice
    date: {date}
    number: INV-{n}
    supplier: {supplier}
    description: Invoice
    asins: [{asins}]
"""


def invoice(n: int, date: str, asins: str, supplier: str = "S1") -> str:
    return INVOICE.format(n=n, date=date, asins=asins, supplier=supplier)


def test_a_second_asin_without_an_invoice_is_an_error_that_names_it() -> None:
    found = _found(_two_asins(invoice(1, "2026-09-03", "B07XYZ1234")))
    assert found == [
        "x.yaml:9:23: error [evidence.asin-uncovered] $.notice.asins[1]: ASIN B08ABC5678 under "
        "review has no 'invoice'; the notice's reason ('inauthentic') needs one for each ASIN: add "
        "the document to `evidence:` with the ASIN under its `asins` (or its invoice lines)"
    ]


def test_an_old_invoice_says_its_age_and_the_cut_off() -> None:
    text = _two_asins(
        invoice(1, "2026-09-03", "B07XYZ1234") + invoice(2, "2025-10-16", "B08ABC5678")
    )
    found = _found(text)
    assert len(found) == 1
    assert found[0].startswith("x.yaml:")
    assert (
        "error [evidence.outdated] $.evidence[1].date: E2 is dated 2025-10-16, 400 days before "
        "the plan: older than the 365 days allowed (cut-off 2025-11-20), and ASIN B08ABC5678 has "
        "no newer one"
    ) in found[0]
    line = int(found[0].split(":")[1])
    assert text.splitlines()[line - 1].strip() == "date: 2025-10-16"


def test_an_older_extra_invoice_is_a_note_and_stays_one_under_strict(tmp_path: Path) -> None:
    text = _two_asins(
        invoice(1, "2026-09-03", "B07XYZ1234, B08ABC5678") + invoice(2, "2025-06-01", "B07XYZ1234")
    )
    found = _found(text)
    assert len(found) == 1 and "note [evidence.older]" in found[0]
    assert "E2 is 537 days old, before the cut-off 2025-11-20 (365 days)" in found[0]
    assert "covered within the window by E1" in found[0]
    shutil.copytree("tests/lint/bad-evidence", tmp_path / "case")  # invoice-e1.pdf, -e2.pdf, ...
    (tmp_path / "case.yaml").write_text(text.replace("evidence: [E1]", "evidence: [E1, E2]"))
    code, _, err = run("lint", "--strict", str(tmp_path / "case.yaml"))
    assert code == 0, err
    assert "note [evidence.older]" in err and "1 note(s)" in err


def test_an_undefined_supplier_is_an_error_with_did_you_mean() -> None:
    found = _found(_two_asins(invoice(1, "2026-09-03", "B07XYZ1234, B08ABC5678", "S11")))
    assert found == [
        "x.yaml:51:15: error [evidence.unknown-supplier] $.evidence[0].supplier: supplier S11 is "
        "cited here but not defined in `suppliers`: did you mean 'S1'?"
    ]


def test_an_unknown_supplier_with_no_suppliers_at_all_says_how_to_add_one() -> None:
    text = _two_asins(invoice(1, "2026-09-03", "B07XYZ1234, B08ABC5678", "S1"))
    text = text.replace("reason: inauthentic", "reason: other-policy")
    start = text.index("suppliers:\n")
    text = text[:start] + text[text.index("problems:\n") :]
    (found,) = _found(text)
    assert "[evidence.unknown-supplier]" in found and "add the supplier to `suppliers:`" in found


def test_incomplete_supplier_details_and_an_invoice_without_supplier() -> None:
    text = _two_asins(invoice(1, "2026-09-03", "B07XYZ1234, B08ABC5678"))
    text = text.replace("    phone: +86 755 1234 5678\n", "").replace("    supplier: S1\n", "")
    found = _found(text)
    assert any(
        "error [evidence.supplier-missing] $.evidence[0]: invoice E1 names no supplier" in d
        for d in found
    ), found
    # S1 is named by no invoice now: its missing phone is not reported.
    assert not any("[evidence.supplier-details]" in d for d in found)
    text = _two_asins(invoice(1, "2026-09-03", "B07XYZ1234, B08ABC5678"))
    (found_details,) = _found(text.replace("    phone: +86 755 1234 5678\n", ""))
    assert "error [evidence.supplier-details] $.suppliers[0]: supplier S1 has no 'phone'" in (
        found_details
    )


def test_fewer_units_invoiced_than_sold_and_an_asin_the_notice_does_not_list() -> None:
    lines = "    quantities:\n      - asin: B07XYZ1234\n        quantity: 500\n"
    text = _two_asins(invoice(1, "2026-09-03", "B07XYZ1234, B08ABC5678, B09ZZZ9999") + lines)
    text = text.replace(
        "became hot.\n",
        "became hot.\n      units_sold:\n        - asin: B07XYZ1234\n          units: 620\n",
    )
    found = _found(text)
    assert len(found) == 2, found
    assert (
        "warning [evidence.quantity] $.problems[0].problem.units_sold[0].units: the invoices "
        "cover 500 units of ASIN B07XYZ1234, fewer than the 620 sold"
    ) in found[0]
    assert (
        "warning [evidence.asin-unlisted] $.evidence[0].asins[2]: E1 ('invoice') covers ASIN "
        "B09ZZZ9999, which the notice does not list"
    ) in found[1]


def test_a_seller_who_is_not_the_brand_owner_needs_a_letter_per_asin() -> None:
    text = _two_asins(invoice(1, "2026-09-03", "B07XYZ1234, B08ABC5678"))
    assert _found(text) == []
    found = _found(text.replace("brand_owner: true", "brand_owner: false"))
    assert [d.split("]")[0].rsplit("[", 1)[1] for d in found] == ["evidence.asin-uncovered"] * 2
    assert all("has no 'letter-of-authorisation'" in d for d in found)


def test_a_reason_without_requirements_keeps_the_general_checks() -> None:
    text = _two_asins(invoice(1, "2025-06-01", "B07XYZ1234"))
    text = text.replace("reason: inauthentic", "reason: review-manipulation")
    assert _found(text) == []  # the requirements do not apply ...
    case = parse_case("x.yaml", text)
    codes = [d.code for d in lint.lint_case(case, SETTINGS)]
    assert "lint.asin-evidence" in codes and "lint.old-invoice" in codes  # ... the general ones do
    assert evidence_checks.replaced_rules("review-manipulation") == frozenset()
    assert evidence_checks.replaced_rules("inauthentic") == {
        "lint.asin-evidence",
        "lint.old-invoice",
    }


def test_an_invoice_line_covers_its_asin_for_the_general_check_too() -> None:
    """lint.asin-evidence counts the ASINs of an invoice's lines, as the reason checks do."""
    lines = "    quantities:\n      - asin: B08ABC5678\n        quantity: 40\n"
    text = _two_asins(invoice(1, "2026-09-03", "B07XYZ1234") + lines)
    text = text.replace("reason: inauthentic", "reason: review-manipulation")
    case = parse_case("x.yaml", text)
    assert validate_case(case) == []
    codes = [d.code for d in lint.lint_case(case, SETTINGS)]
    assert "lint.asin-evidence" not in codes, codes
    bare = parse_case("x.yaml", text.replace(lines, ""))
    assert "lint.asin-evidence" in [d.code for d in lint.lint_case(bare, SETTINGS)]


def test_per_problem_and_per_plan_requirements() -> None:
    base = Path("tests/minimal-4d.yaml").read_text()
    late = parse_case("x.yaml", base.replace("reason: other-policy", "reason: late-shipment-rate"))
    (finding,) = evidence_checks.check_case(late, SETTINGS)
    assert finding.code == "evidence.problem-uncovered"
    assert "problem P1 cites no 'order-report' or 'carrier-report'" in finding.message
    fixed = base.replace("reason: other-policy", "reason: late-shipment-rate").replace(
        "kind: report", "kind: order-report"
    )
    assert evidence_checks.check_case(parse_case("x.yaml", fixed), SETTINGS) == []
    seller = parse_case(
        "x.yaml", base.replace("reason: other-policy", "reason: seller-information")
    )
    messages = [d.message for d in evidence_checks.check_case(seller, SETTINGS)]
    assert messages == [
        "the evidence has no 'registry-extract' or 'identity-document'; the notice's reason "
        "('seller-information') needs one",
        "the evidence has no 'utility-bill' or 'bank-statement'; the notice's reason "
        "('seller-information') needs one",
    ]


def test_the_requirements_file_passes_its_schema_and_names_real_reasons_and_kinds() -> None:
    raw = yaml.safe_load((RULES / "evidence.yaml").read_text(encoding="utf-8"))
    schema = json.loads((SCHEMAS / "evidence-rules.schema.json").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema, registry=_registry()).iter_errors(raw)) == []
    broken = {**raw, "inauthentic": {"require": [{"kinds": ["invoce"], "per": "asin"}]}}
    assert list(Draft202012Validator(schema, registry=_registry()).iter_errors(broken))
    assert list(Draft202012Validator(schema, registry=_registry()).iter_errors({"bad-luck": {}}))
    for reason in ("inauthentic", "intellectual-property", "restricted-product", "product-safety"):
        needs = evidence_checks.needs(reason)
        assert needs is not None and needs.supplier_details
        invoices = [r for r in needs.require if r.kinds == ("invoice",)]
        assert invoices and invoices[0].per == "asin" and invoices[0].within_days == 365
    safety = evidence_checks.needs("product-safety")
    assert safety is not None
    assert any(set(r.kinds) == {"test-report", "certificate"} for r in safety.require)
    assert evidence_checks.needs("review-manipulation") is None


def test_the_bad_evidence_plan_fails_but_its_note_does_not_count() -> None:
    code, _, err = run("lint", str(BAD))
    assert code == 1
    assert "1 note(s)" in err
    severities = {line.split(": ")[1].split(" ")[0] for line in err.splitlines()[:-1]}
    assert severities == {"error", "warning", "note"}


def test_the_example_evidence_documents_are_what_their_sources_compile_to() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", "tests/evidence-sources/make.py")
    assert spec and spec.loader
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    targets = make.targets()
    assert len(targets) >= 1
    for source, target in targets.items():
        assert target.read_bytes() == make.compile_source(source), f"run {spec.origin}"


@pytest.mark.parametrize("kind", ["invoice", "letter-of-authorisation", "registry-extract"])
def test_every_kind_has_a_label_in_every_language(kind: str) -> None:
    from generator import render

    for language in ("en", "de", "fr", "es", "it"):
        assert render.locale(language)["kind"][kind]


def test_the_index_lists_kind_date_asins_and_supplier_per_item_in_every_format() -> None:
    import re
    import zipfile
    from io import BytesIO

    from generator import pipeline
    from tests.helpers import pdf_text

    example = Path("cases/inauthentic-two-suppliers.yaml")
    checked = pipeline.check_case(example, SETTINGS)
    assert checked.case is not None and checked.diagnostics == []
    outputs = pipeline.render_outputs(
        checked.case, checked.evidence, ("md", "html", "txt", "pdf", "docx")
    )
    md = outputs["md"].decode()
    assert (
        "| E2 | Invoice from Northbridge Wholesale Ltd for 400 bottles of 750 ml | Invoice No. "
        "NBW-2026-3307 | 2\u00a0October\u00a02026 | B0CX4T9WM5 | Northbridge Wholesale Ltd |"
    ) in md
    txt = outputs["txt"].decode()
    assert (
        "Kind: Invoice No. TDU-24518; Date: 8\u00a0September\u00a02026; ASINs: B0CX4T7KQ2; "
        "Supplier: Thermora Distribution UK Ltd;"
    ) in txt
    html = re.sub(r"<[^>]+>", " ", outputs["html"].decode())
    assert re.search(
        r"E2\s+Invoice from Northbridge.*?NBW-2026-3307\s+2\s+October\s+2026\s+"
        r"B0CX4T9WM5\s+Northbridge Wholesale Ltd",
        html,
        re.S,
    )
    pdf = " ".join(pdf_text(outputs["pdf"]).split())
    assert "Suppliers" in pdf and "Phone: +44 161 555 0290" in pdf  # hyphenated e-mails aside
    with zipfile.ZipFile(BytesIO(outputs["docx"])) as archive:
        body = re.sub(r"<[^>]+>", "", archive.read("word/document.xml").decode())
    assert "Northbridge Wholesale Ltd" in body and "TDU-24518" in body and "Contact person" in body
    assert "S1 Thermora Distribution UK Ltd" in pdf and "S2 Northbridge Wholesale Ltd" in pdf
    for text in (md, txt, html, body):  # in the PDF's narrow cells, words break
        assert "Thermora Distribution UK Ltd" in text and "Letter of authorisation" in text


def test_the_supplier_block_is_shown_only_where_the_reason_needs_it() -> None:
    from generator import render

    case = parse_case(
        "x.yaml", Path("cases/inauthentic-two-suppliers.yaml").read_text(encoding="utf-8")
    )
    assert "## Suppliers" in render.render_markdown(case.data)
    other = {**case.data, "notice": {**case.data["notice"], "reason": "review-manipulation"}}
    markdown = render.render_markdown(other)
    assert "## Suppliers" not in markdown and "Northbridge Wholesale Ltd" in markdown


def test_evidence_rules_are_re_graded_like_lint_rules(tmp_path: Path) -> None:
    (tmp_path / "actionplan.yaml").write_text(
        'lint:\n  severity:\n    evidence.older: "off"\n    evidence.asin-uncovered: warning\n'
    )
    settings = lint.load_settings(tmp_path)
    case = parse_case("x.yaml", BAD.read_text())
    codes = {d.code: d.severity.value for d in evidence_checks.check_case(case, settings)}
    assert "evidence.older" not in codes
    assert codes["evidence.asin-uncovered"] == "warning"
    assert codes["evidence.outdated"] == "error"


def test_a_note_is_a_note_in_every_report_format() -> None:
    import json as json_

    from generator import lsp, report

    case = parse_case("x.yaml", BAD.read_text())
    found = evidence_checks.check_case(case, SETTINGS)
    (note,) = [d for d in found if d.severity is Severity.NOTE]
    assert report.format_github(note).startswith("::notice ")
    sarif = json_.loads(report.to_sarif({"x.yaml": [note]}, report.describe))
    assert sarif["runs"][0]["results"][0]["level"] == "note"
    assert report.counts(found) == (8, 2)  # errors and warnings; the note is neither
    assert set(lsp._SEVERITY) == set(Severity)  # the editor shows every severity


def test_the_editor_offers_the_supplier_meant_and_an_exception() -> None:
    from generator import editor

    text = BAD.read_text()
    case = parse_case(str(BAD), text)
    found = evidence_checks.check_case(case, SETTINGS)
    (unknown,) = [d for d in found if d.code == "evidence.unknown-supplier"]
    change, waive = editor.fixes(text, case, unknown)
    assert change.title == "Change to 'S2'" and change.preferred
    (edit,) = change.edits
    fixed = text[: edit.start] + edit.text + text[edit.end :]
    assert "    supplier: S2\n    description: Invoice for B0C1AAAA11 and B0C1AAAA12" in fixed
    assert "evidence.unknown-supplier" not in [
        d.code for d in evidence_checks.check_case(parse_case(str(BAD), fixed), SETTINGS)
    ]
    assert waive.title.startswith("Add a lint exception for evidence.unknown-supplier")


def test_a_german_plan_is_told_the_supplier_meant_in_german_and_offered_the_change() -> None:
    from generator import editor

    text = BAD.read_text().replace("language: en", "language: de")
    case = parse_case(str(BAD), text)
    found = evidence_checks.check_case(case, SETTINGS)
    (unknown,) = [d for d in found if d.code == "evidence.unknown-supplier"]
    assert unknown.message == (
        "der Lieferant S22 wird hier zitiert, ist aber in `suppliers` nicht definiert"
    )
    assert unknown.hint == "meinten Sie 'S2'?"
    change, _ = editor.fixes(text, case, unknown)
    assert change.title == "Change to 'S2'"
    (edit,) = change.edits
    assert text[edit.start : edit.end] == "S22" and edit.text == "S2"
