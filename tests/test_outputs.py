"""What a reviewer reads in every example's outputs, checked as text: the PDF's text layer, the
HTML, the paste-ready text and the Word file's XML, in each example's language."""

from __future__ import annotations

import copy
import hashlib
import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from generator import convert, lint, pipeline, render
from generator.loader import load_case
from tests.conftest import CASES, ROOT

FORMATS = (*pipeline.FORMATS, "docx", "submission")


@pytest.fixture(scope="module")
def built() -> dict[str, tuple[dict[str, Any], dict[str, bytes]]]:
    out = {}
    for file in CASES:
        checked = pipeline.check_case(file.relative_to(ROOT), lint.load_settings())
        assert checked.case is not None, checked.diagnostics
        outputs = pipeline.render_outputs(checked.case, checked.evidence, FORMATS)
        out[file.stem] = (checked.case.data, outputs)
    return out


def raw_pdf_text(pdf: bytes) -> str:
    """The PDF's text layer as a reader copies it, nothing removed."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def word_part(docx: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read(name).decode("utf-8")


def word_paragraphs(docx: bytes) -> list[tuple[str, bool]]:
    """Each paragraph of the Word file: its text, and whether it shows a list number or bullet
    (pandoc indents a list item's further paragraphs with a blank "bullet")."""
    numbering = word_part(docx, "word/numbering.xml")
    abstract = dict(re.findall(r'<w:num w:numId="(\d+)"><w:abstractNumId w:val="(\d+)"', numbering))
    marks = {}
    for number, body in re.findall(
        r'<w:abstractNum w:abstractNumId="(\d+)".*?<w:lvl w:ilvl="0">(.*?)</w:lvl>', numbering, re.S
    ):
        marks[number] = re.search(r'<w:lvlText w:val="([^"]*)"', body).group(1).strip()  # type: ignore[union-attr]
    xml = word_part(docx, "word/document.xml")
    out = []
    for para in re.findall(r"<w:p[ >].*?</w:p>", xml, re.DOTALL):
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", para)).replace("\u2019", "'")
        num = re.search(r'<w:numId w:val="(\d+)"', para)
        out.append((text, bool(num and marks.get(abstract.get(num.group(1), ""), ""))))
    return out


def corrective_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for problem in data["problems"]:
        if data["structure"] == "4d":
            items += problem["corrective_actions"]
        else:
            items += problem["implementation"] + problem["prevention"]["measures"]
    return items


EXAMPLES = [file.stem for file in CASES]


# 1. A line that starts "5. November 2026" is text, not an ordered list starting at 5.
@pytest.mark.parametrize("name", EXAMPLES)
def test_date_lines_of_actions_are_text_in_every_output(name: str, built: Any) -> None:
    data, outputs = built[name]
    words = render.locale(data["language"])
    html = outputs["html"].decode().replace("\u2019", "'")  # pandoc's typographic apostrophe
    html = re.sub(r'<span class="keep">([^<]*)</span>', r"\1", html)  # a date kept whole
    text = outputs["txt"].decode().replace("\u2019", "'")
    assert re.findall(r"<ol start=\"(\d+)\"", html) == []  # every numbered list starts at 1
    paragraphs = word_paragraphs(outputs["docx"])
    for item in corrective_items(data):
        date = render.format_date(item["date"], words["date"]).replace(" ", "\u00a0")
        line = f"{date} · {item['owner']} · "  # the date held together
        assert re.search(rf"<p>{re.escape(line)}", html), line
        assert re.search(rf"^ +{re.escape(line)}", text, re.MULTILINE), line
        assert {numbered for para, numbered in paragraphs if para.startswith(line)} == {False}


def test_a_field_starting_with_a_number_and_a_full_stop_stays_text() -> None:
    case = load_case("tests/minimal-4d.yaml")
    data = copy.deepcopy(case.data)
    problem = data["problems"][0]
    problem["problem"]["summary"] = "5. November 2026: seven buyers wrote to us."
    problem["corrective_actions"][0]["action"] = "12) Added a lab test."
    problem["root_causes"][0]["cause"] = "3. Batch 2026-08 was not tested."
    markdown = render.render_markdown(data)
    texts = convert.write_texts(markdown, [], ("html5", "plain", "typst"))
    assert "<ol" not in texts["html5"].replace('<ol type="1">', "")  # only the plan's own list
    assert "<p>5. November 2026: seven buyers wrote to us.</p>" in texts["html5"]
    assert "12) Added a lab test." in texts["html5"]
    assert "\n5. November 2026: seven buyers" in texts["plain"]
    assert "+ 5" not in texts["typst"] and "\\5. November" in texts["typst"]


# 2. The paste-ready text: one separator between a table's values, each piece of evidence
# cited once.
@pytest.mark.parametrize("name", EXAMPLES)
def test_paste_text_has_no_doubled_punctuation(name: str, built: Any) -> None:
    _, outputs = built[name]
    text = outputs["txt"].decode()
    assert re.findall(r".{30}[.!?] ?[;\u202f]", text) == []
    assert re.findall(r"\((E\d+)\)[.,]? \([^()]*\b\1\b[^()]*\)", text) == []


def test_evidence_an_action_names_is_not_cited_again_after_it() -> None:
    case = load_case("tests/minimal-4d.yaml")
    data = copy.deepcopy(case.data)
    action = data["problems"][0]["immediate_actions"][0]
    action["action"] = "Closed the listing (E1)."
    action["evidence"] = ["E1", "E2"]
    data["evidence"].append({**data["evidence"][0], "id": "E2"})
    text = convert.write_texts(render.render_markdown(data), [], ("plain",))["plain"]
    assert "Action: Closed the listing (E1). (Evidence: E2); Owner:" in text
    assert render.uncited(["E1", "E12"], "see E12") == ["E1"]


def test_french_labels_of_the_paste_text_have_their_spaces(built: Any) -> None:
    """A no-break space before ":" and a narrow one before ";" in every generated label."""
    for data, outputs in built.values():
        if data["language"] != "fr":
            continue
        text = outputs["txt"].decode()
        lines = [line for line in text.splitlines() if line.startswith("- ")]
        assert lines and all(" ; " not in line[:40] for line in lines)
        words = render.locale("fr")
        for label in words["front"].values():
            assert f"{label}:" not in text and f"{label} :" not in text
        assert f"{words['front']['seller']}\u00a0: {data['seller']['legal_name']}" in text
        assert f"{words['table']['name']}\u00a0: " in text and "\u202f; " in text
        for fmt in ("txt", "html"):  # a typed space before : ; ! ? » is the no-break one too
            assert re.findall(r".{20}\S [;:!?»]", outputs[fmt].decode()) == [], fmt


# 3. Nothing invisible in the PDFs' text: a copied address or file name is whole.
@pytest.mark.parametrize("name", EXAMPLES)
def test_pdf_text_layer_has_no_zero_width_characters(name: str, built: Any) -> None:
    data, outputs = built[name]
    for fmt in ("pdf", "submission"):
        text = raw_pdf_text(outputs[fmt])
        assert re.findall("[\u200b\u200c\u200d\u2060\ufeff]", text) == [], fmt
    flat = " ".join(raw_pdf_text(outputs["pdf"]).split())
    for address in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", data["seller"].get("contact", "")):
        assert address in flat.replace(address.replace(".", ". "), address)


# 5. The paper of the marketplace's country.
@pytest.mark.parametrize("name", EXAMPLES)
def test_pdf_paper_follows_the_marketplace(name: str, built: Any) -> None:
    data, outputs = built[name]
    letter = data["notice"]["marketplace"] in ("amazon.com", "amazon.ca", "amazon.com.mx")
    for fmt in ("pdf", "submission"):
        page = PdfReader(io.BytesIO(outputs[fmt])).pages[0]
        size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        assert size == ((612, 792) if letter else (595, 842)), fmt


def test_every_marketplace_has_its_paper() -> None:
    case = load_case("tests/minimal-4d.yaml")
    for marketplace, paper in [
        ("amazon.com", "us-letter"),
        ("amazon.ca", "us-letter"),
        ("amazon.com.mx", "us-letter"),
        ("amazon.com.br", "a4"),
        ("amazon.co.uk", "a4"),
        ("amazon.de", "a4"),
    ]:
        data = copy.deepcopy(case.data)
        data["notice"]["marketplace"] = marketplace
        assert pipeline.pdf_meta(data)["paper"] == paper, marketplace


# 6. Outputs complete in the plan's language.
@pytest.mark.parametrize("name", EXAMPLES)
def test_word_file_carries_the_plans_language_title_author_and_subject(
    name: str, built: Any
) -> None:
    data, outputs = built[name]
    words = render.locale(data["language"])
    core = html.unescape(word_part(outputs["docx"], "docProps/core.xml"))
    styles = word_part(outputs["docx"], "word/styles.xml")
    lang = re.search(r"<dc:language>([^<]+)</dc:language>", core).group(1)  # type: ignore[union-attr]
    assert lang.split("-")[0] == data["language"] and re.fullmatch(r"[a-z]{2}-[A-Z]{2}", lang)
    assert f'w:val="{lang}"' in styles  # the default language of every paragraph
    title = pipeline.pdf_meta(data)["title"]
    assert f"<dc:title>{title}</dc:title>" in core
    assert f"<dc:creator>{data['seller']['legal_name']}</dc:creator>" in core
    assert words["reason"][data["notice"]["reason"]] in core


def test_word_language_names_the_marketplace_region() -> None:
    case = load_case("tests/minimal-4d.yaml")
    data = copy.deepcopy(case.data)
    assert pipeline.word_properties(data)["lang"] == "en-US"
    data["notice"]["marketplace"] = "amazon.co.uk"
    assert pipeline.word_properties(data)["lang"] == "en-GB"
    data["language"], data["notice"]["marketplace"] = "es", "amazon.com.mx"
    assert pipeline.word_properties(data)["lang"] == "es-MX"
    data["language"], data["notice"]["marketplace"] = "de", "amazon.de"
    assert pipeline.word_properties(data)["lang"] == "de-DE"


def test_french_typography_puts_no_break_spaces_in_every_output() -> None:
    case = load_case("tests/minimal-4d.yaml")
    data = copy.deepcopy(case.data)
    data["language"] = "fr"
    data["problems"][0]["problem"]["summary"] = "Objectif : moins de 4 % ; le « casse » ? Oui !"
    outputs = pipeline.render_outputs(case.__class__(**{**case.__dict__, "data": data}), [])
    expected = "Objectif\u00a0: moins de 4\u00a0%\u202f; le «\u202fcasse\u202f»\u202f? Oui\u202f!"
    assert expected in outputs["txt"].decode()
    assert expected in re.sub(r"<[^>]+>", "", outputs["html"].decode())  # spans aside
    assert expected in raw_pdf_text(outputs["pdf"])
    text = outputs["txt"].decode()
    assert "Vendeur\u00a0: Weber Power Supplies LLC" in text  # the labels too
    assert "Date\u00a0: 28\u00a0octobre\u00a02026\u202f; Action\u00a0: " in text


def test_italian_writes_the_first_of_the_month_as_an_ordinal() -> None:
    words = render.locale("it")["date"]
    assert render.format_date("2026-12-01", words) == "1º dicembre 2026"
    assert render.format_date("2026-12-05", words) == "5 dicembre 2026"
    assert render.format_date("2026-12-01", render.locale("fr")["date"]) == "1er décembre 2026"


@pytest.mark.parametrize("name", EXAMPLES)
def test_counts_file_units_are_written_as_words_of_the_language(name: str, built: Any) -> None:
    """Lower case mid-line; German capitalises its nouns (Zeichen, Wörter)."""
    data, outputs = built[name]
    labels = render.locale(data["language"])["labels"]
    counts = outputs["counts"].decode().splitlines()
    unit, words = labels["counts_characters"], labels["counts_words"]
    if data["language"] == "de":
        assert (unit, words) == ("Zeichen", "Wörter")
    else:
        assert unit == unit.lower() and words == words.lower()
    assert all(f" {unit} " in line and line.endswith(f" {words}") for line in counts[1:])


# 10. An example in every language, so each language's outputs are built and checked.
def test_every_plan_language_has_an_example_case(built: Any) -> None:
    languages = {data["language"] for data, _ in built.values()}
    assert languages == {"en", "de", "fr", "es", "it"}
    spanish_or_italian = [data for data, _ in built.values() if data["language"] in ("es", "it")]
    assert {(d["structure"], d["notice"]["scope"]) for d in spanish_or_italian} >= {
        ("8d", "account")
    }


# 8. The submission PDF as a reviewer reads it.
def _submission(built: Any, name: str) -> tuple[dict[str, Any], bytes]:
    data, outputs = built[name]
    return data, outputs["submission"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_evidence_ids_in_the_plan_link_to_their_page(name: str, built: Any) -> None:
    data, pdf = _submission(built, name)
    reader = PdfReader(io.BytesIO(pdf))
    colon = render.locale(data["language"])["colon"]
    targets = {}
    for label, destination in reader.named_destinations.items():
        if label.startswith("attached-"):
            targets[label.removeprefix("attached-")] = reader.get_destination_page_number(
                destination
            )
    assert set(targets) == {item["id"] for item in data.get("evidence", [])}
    for evidence_id, page in targets.items():
        text = " ".join((reader.pages[page].extract_text() or "").split())
        assert f"{evidence_id}{colon} " in text.replace("\u00a0", " ").replace(" :", colon), (
            evidence_id
        )
    with pikepdf.open(io.BytesIO(pdf)) as document:
        plan_pages = pipeline_pages(built, name)
        linked = set()
        for page in list(document.pages)[:plan_pages]:
            for annotation in page.get("/Annots", []):
                destination = str(annotation.get("/Dest", ""))
                if destination.startswith("attached-"):
                    linked.add(destination.removeprefix("attached-"))
    cited = set(re.findall(r"\bE\d+\b", built[name][1]["md"].decode()))
    assert linked == cited & set(targets)


def pipeline_pages(built: Any, name: str) -> int:
    """How many pages the plan takes before the appendix of the submission PDF."""
    return len(PdfReader(io.BytesIO(built[name][1]["pdf"])).pages)


@pytest.mark.parametrize("name", EXAMPLES)
def test_attachments_are_supplements_with_a_checksum(name: str, built: Any) -> None:
    data, pdf = _submission(built, name)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        names = document.Root.Names.EmbeddedFiles.Names
        specs = [names[i + 1] for i in range(0, len(names), 2)]
        assert len(specs) == len(data.get("evidence", []))
        for spec in specs:
            assert spec.AFRelationship == pikepdf.Name.Supplement
            content = spec.EF.F.read_bytes()
            assert bytes(spec.EF.F.Params.CheckSum) == hashlib.md5(content).digest()
            assert (ROOT / "cases" / name / str(spec.UF)).read_bytes() == content
        assert [spec.objgen for spec in document.Root.AF] == [spec.objgen for spec in specs]


def _drawings(page: Any) -> list[tuple[str, list[float]]]:
    """The path, rule and image operations of a page with their numbers."""
    out = []
    xobjects = page.Resources.get("/XObject", {})
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "Do" and xobjects[operands[0]].get("/Subtype") == "/Image":
            out.append(("image", [1.0, 1.0]))
        elif name == "Do" and xobjects[operands[0]].get("/Subtype") == "/Form":  # a PDF's page
            box = [float(v) for v in xobjects[operands[0]].BBox]
            out.append(("image", [box[2] - box[0], box[3] - box[1]]))
        elif name in ("cm", "l"):
            out.append((name, [float(x) for x in operands]))
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_screenshots_fill_the_width_or_height_and_their_frame_hugs_them(
    name: str, built: Any
) -> None:
    data, pdf = _submission(built, name)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        checked = 0
        for page in document.pages:
            width = float(page.MediaBox[2])
            ops = _drawings(page)
            for i, (operator, size) in enumerate(ops):
                if operator != "image" or ops[i - 1][0] != "cm":
                    continue
                a, _, _, d, x, _ = ops[i - 1][1]
                w, h = abs(a) * size[0], abs(d) * size[1]
                frame = [v for op, v in ops[max(0, i - 6) : i] if op == "l"]
                assert frame, "no frame around the picture"
                frame_height = max(abs(v[1]) for v in frame)
                assert abs(frame_height - (h + 4)) < 0.5  # the frame is the picture's, plus 2pt
                assert x + w <= width - 50  # inside the right margin
                text_width = width - 2 * 2.2 / 2.54 * 72
                assert w >= text_width - 10 or h >= 400  # as large as the page allows
                checked += 1
    pictures = [i for i in data.get("evidence", []) if Path(i["file"]).suffix in (".png", ".pdf")]
    assert checked >= len(pictures)  # every PDF page and picture


@pytest.mark.parametrize("name", EXAMPLES)
def test_csv_evidence_is_a_table_inside_the_page(name: str, built: Any) -> None:
    data, pdf = _submission(built, name)
    reader = PdfReader(io.BytesIO(pdf))
    csvs = [i for i in data.get("evidence", []) if i["file"].endswith(".csv")]
    for item in csvs:
        target = reader.named_destinations[f"attached-{item['id']}"]
        number = reader.get_destination_page_number(target)
        header = (ROOT / "cases" / name / item["file"]).read_text().splitlines()[0]
        names = re.split(r"[;,\t]", header)
        text = reader.pages[number].extract_text() or ""
        flat = re.sub(r"\s+", "", text)
        for column in names:  # every header cell is there, whole (it may wrap after a _)
            assert re.sub(r"\s+", "", column) in flat, column
        assert header not in text  # not the raw line that ran out of its box
        with pikepdf.open(io.BytesIO(pdf)) as document:
            page = document.pages[number]
            width = float(page.MediaBox[2])
            for operator, values in _drawings(page):
                if operator == "cm" and len(values) == 6:
                    assert values[4] < width - 2.2 / 2.54 * 72  # every cell starts inside
                if operator == "l":
                    assert values[0] <= width - 2 * 2.2 / 2.54 * 72 + 1  # rules within the text


# 4. Typography: nothing hyphenated, dates and sizes whole, rows and items on one page.
def _page_lines(pdf: bytes) -> list[list[str]]:
    """The lines of each page of a PDF, spaces folded (no-break ones too)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        text = (page.extract_text() or "").replace("\u00a0", " ").replace("\u202f", " ")
        pages.append([" ".join(line.split()) for line in text.splitlines()])
    return pages


@pytest.mark.parametrize("name", EXAMPLES)
def test_pdf_hyphenates_nothing_and_keeps_dates_whole(name: str, built: Any) -> None:
    data, outputs = built[name]
    words = render.locale(data["language"])
    assert "\u00ad" not in raw_pdf_text(outputs["pdf"])  # no hyphenation point was used
    pages = _page_lines(outputs["pdf"])
    lines = [line for page in pages for line in page]
    dates = {
        render.format_date(action["date"], words["date"])
        for problem in data["problems"]
        for action in problem["immediate_actions"]
    }
    for date in dates:  # in a table cell, on one line
        assert any(date in line for line in lines), date
    assert not [line for line in lines if line.startswith("%")]  # "8,5 %" stays together
    title = pipeline.pdf_meta(data)["title"]
    assert title.split()[-1] not in pages[0][:3]  # no title word alone on its line


@pytest.mark.parametrize("name", EXAMPLES)
def test_table_rows_and_numbered_items_are_not_split_over_pages(name: str, built: Any) -> None:
    data, outputs = built[name]
    words = render.locale(data["language"])
    pages = [" ".join(lines) for lines in _page_lines(outputs["pdf"])]

    def fold(text: str) -> str:  # lines end where they may: at a space or after a hyphen
        return re.sub(r"\s+", "", text.replace("\u2019", "'"))

    def page_of(text: str) -> set[int]:
        return {n for n, page in enumerate(pages) if fold(text) in fold(page)}

    for problem in data["problems"]:
        for action in problem["immediate_actions"]:  # a table row: its date and its owner
            date = render.format_date(action["date"], words["date"])
            owner_pages = page_of(action["owner"].split(",")[0])
            last = " ".join(re.sub(r"[*_]", "", action["action"]).split()[-3:])
            assert page_of(date) & owner_pages & page_of(last), (date, last)
    for item in corrective_items(data):  # a numbered item: its first words and its date line
        first = " ".join(re.sub(r"[*_]", "", item["action"]).split()[:4])
        date = render.format_date(item["date"], words["date"])
        assert page_of(first) & page_of(f"{date} · {item['owner']}"), first


def test_html_keeps_dates_and_sizes_on_one_line(built: Any) -> None:
    for data, outputs in built.values():
        page = outputs["html"].decode()
        words = render.locale(data["language"])
        date = render.format_date(data["date"], words["date"]).replace(" ", "\u00a0")
        assert f'<span class="keep">{date}</span>' in page
    css = (ROOT / "templates" / "plan.css").read_text()
    assert ".keep { white-space: nowrap; }" in css and "text-wrap: balance" in css


def test_long_tables_and_lists_break_between_rows_and_items() -> None:
    """Forty rows and items of growing length: some reach a page's end, none is split."""
    case = load_case("tests/minimal-4d.yaml")
    data = copy.deepcopy(case.data)
    problem = data["problems"][0]
    row, item = problem["immediate_actions"][0], problem["corrective_actions"][0]
    text = "Checked {n} units of batch {n} against the lab report and the supplier's test sheet. "
    problem["immediate_actions"] = [
        {**row, "action": (text * (1 + n % 4)).format(n=n) + f"Row {n} ends."} for n in range(40)
    ]
    problem["corrective_actions"] = [
        {**item, "action": (text * (1 + n % 3)).format(n=n) + f"Item {n} ends.", "why": text}
        for n in range(20)
    ]
    outputs = pipeline.render_outputs(case.__class__(**{**case.__dict__, "data": data}), [])
    pages = [re.sub(r"\s+", "", " ".join(lines)) for lines in _page_lines(outputs["pdf"])]
    assert len(pages) >= 5
    for n in range(40):
        on = [i for i, page in enumerate(pages) if f"Checked{n}units" in page]
        assert [i for i, page in enumerate(pages) if f"Row{n}ends." in page] == on[:1], n
    date = render.format_date(item["date"], render.locale("en")["date"]).replace(" ", "")
    for n in range(20):
        start = [i for i, page in enumerate(pages) if f"Item{n}ends." in page]
        assert len(start) == 1, n
        rest = pages[start[0]].split(f"Item{n}ends.", 1)[1]
        assert rest.startswith("Whythisremovesthecause") and date in rest[:400], n


def test_french_spaces_reach_word_the_preview_and_git_diff_text(built: Any) -> None:
    from tests.helpers import run

    for name, (data, outputs) in built.items():
        if data["language"] != "fr":
            continue
        paragraphs = " ".join(text for text, _ in word_paragraphs(outputs["docx"]))
        assert "\u202f; " in paragraphs and "\u00a0: " in paragraphs
        code, out, _ = run("text", f"cases/{name}.yaml")
        built_text = outputs["txt"].decode()  # the same but the evidence files' size and checksum
        end = built_text.index(render.locale("fr")["labels"]["evidence_index"])
        assert code == 0 and out[:end] == built_text[:end] and "\u202f; " in out[:end]


# 7. No placeholder ships: a case that still holds one is not built.
@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("notice", "reference"), "TODO: the notice's subject line"),
        (("notice", "policies"), ["TODO: the policy the notice cites"]),
        (("seller", "contact"), "TODO: name and e-mail"),
        (("evidence", 0, "description"), "TODO: what the document shows"),
    ],
)
def test_a_placeholder_in_any_field_stops_the_build(
    tmp_path: Path, path: tuple[Any, ...], value: Any
) -> None:
    import shutil

    import yaml

    from tests.helpers import run

    data = yaml.safe_load((ROOT / "tests" / "minimal-4d.yaml").read_text())
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    case = tmp_path / "todo.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True))
    shutil.copytree(ROOT / "tests" / "minimal-4d", tmp_path / "todo")
    code, _, err = run("build", "--strict", "--out", str(tmp_path / "out"), str(case))
    assert code == 1 and "[lint.placeholder]" in err
    assert not (tmp_path / "out" / "todo").exists() or not any(
        (tmp_path / "out" / "todo").iterdir()
    )


# 9. A plan that cannot be archival says so, and is still built.
def test_a_character_without_a_glyph_builds_an_ordinary_pdf_with_a_warning(tmp_path: Path) -> None:
    import shutil

    import yaml

    from tests.helpers import run

    data = yaml.safe_load((ROOT / "tests" / "minimal-4d.yaml").read_text())
    data["problems"][0]["problem"]["summary"] += " Packed 😀 boxes."
    case = tmp_path / "emoji.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shutil.copytree(ROOT / "tests" / "minimal-4d", tmp_path / "emoji")
    code, _, err = run("build", "--out", str(tmp_path / "out"), str(case))
    assert code == 0, err
    assert "warning [build.pdf-standard]" in err and "not PDF/A-2b" in err
    pdf = (tmp_path / "out" / "emoji" / "emoji.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"pdfaid:part" not in pdf
    code, _, err = run("build", "--strict", "--force", "--out", str(tmp_path / "out"), str(case))
    assert code == 1 and "error [build.pdf-standard]" in err  # --strict: the run fails
    code, _, err = run("build", "--out", str(tmp_path / "plain"), "tests/minimal-4d.yaml")
    assert code == 0 and "build.pdf-standard" not in err


def test_a_huge_csv_makes_a_bounded_table() -> None:
    """A 20 MB line, or ten million rows: the table keeps what a page can show."""
    table, _ = render.csv_table(b"x," * 10_000_000)
    assert len(table) == 1 and len(table[0]) == render.CSV_COLUMNS
    table, _ = render.csv_table(b"a;" + b"b" * 5_000_000 + b"\n" + b"1;2\n" * 10_000_000)
    assert len(table) == render.PREVIEW_LINES
    assert len("".join(table[0][1])) == render.PREVIEW_WIDTH and "".join(table[0][1])[-1] == "…"
