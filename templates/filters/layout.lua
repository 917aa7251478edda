-- How the plan's document tree is laid out for its outputs, in one walk for every format: the
-- ASINs of the notice are marked so every format can make them stand out, and very long words
-- get break points in the PDF. Typst-only parts are raw Typst, which the other writers drop.
-- Plain text also gets lines instead of tables (it is pasted into a web form in a proportional
-- font). Used by texts.lua.

local function typst(code)
  return pandoc.RawInline("typst", code)
end

-- Typst breaks lines only at spaces, hyphens and hyphenation points: give very long words
-- (codes, file names, pasted URLs) break opportunities so they cannot run off the page. They go
-- after the separators of paths and addresses first (evidence/ | report.pdf), and into any run
-- of 20 characters that still has none. A break opportunity is an empty box, not a zero-width
-- space: it adds no character to the PDF's text, so a copied address or file name is whole.
local LONG = 30
local RUN = 20
local SEPARATORS = {["/"] = true, ["\\"] = true, ["_"] = true, ["."] = true, ["?"] = true,
  ["&"] = true, ["="] = true, [","] = true, [";"] = true, [":"] = true, ["-"] = true}

local function breakable(text)
  local length = utf8.len(text)
  if length == nil or length <= LONG then
    return nil
  end
  local out, part, run, count = {}, {}, 0, 0
  for _, code in utf8.codes(text) do
    local char = utf8.char(code)
    table.insert(part, char)
    run, count = run + 1, count + 1
    if (SEPARATORS[char] or run == RUN) and count < length then
      table.insert(out, pandoc.Str(table.concat(part)))
      table.insert(out, typst("#box[]"))
      part, run = {}, 0
    end
  end
  table.insert(out, pandoc.Str(table.concat(part)))
  return out
end

-- An ASIN of the notice, with any punctuation around it: a span of class "asin" (HTML, Word)
-- inside a call of plan.typ's `asin` (PDF).
local function mark_asin(text, asins)
  local before, asin, after = text:match("^(%p*)(%w+)(%p*)$")
  if asin == nil or not asins[asin] then
    return nil
  end
  local out = {}
  if before ~= "" then table.insert(out, pandoc.Str(before)) end
  table.insert(out, typst("#asin["))
  table.insert(out, pandoc.Span({pandoc.Str(asin)}, {class = "asin"}))
  table.insert(out, typst("]"))
  if after ~= "" then table.insert(out, pandoc.Str(after)) end
  return out
end

-- Tables as lines of "Header: value", so nothing depends on column alignment.
local function cells_text(cells)
  local out = {}
  for _, cell in ipairs(cells) do
    table.insert(out, pandoc.utils.stringify(cell.contents))
  end
  return out
end

-- A value that ends a sentence needs no separator after it ("14:00. Owner: …", not ".;").
local function ends_sentence(text)
  return text:match("[.!?]$") ~= nil or text:match("\u{2026}$") ~= nil
end

-- `marks` are the plan language's colon and semicolon ("\u{A0}:" and "\u{202F};" in French).
local function table_as_lines(tbl, marks)
  local colon = (marks.colon or ":") .. " "
  local semicolon = (marks.semicolon or ";") .. " "
  local headers = {}
  for _, row in ipairs(tbl.head.rows) do
    headers = cells_text(row.cells)
  end
  local has_header = #tbl.head.rows > 0  -- read.lua has dropped header rows with nothing in them
  -- One Str per line: the text is final, and building words and spaces costs ten times more.
  local lines = {}
  local items = {}
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      local values = cells_text(row.cells)
      if has_header then
        local line, last = "", nil
        for i, value in ipairs(values) do
          if value ~= "" then
            if last ~= nil then
              line = line .. (ends_sentence(last) and " " or semicolon)
            end
            line, last = line .. (headers[i] or "") .. colon .. value, value
          end
        end
        table.insert(items, {pandoc.Plain({pandoc.Str(line)})})
      else
        table.insert(lines, {pandoc.Str(table.concat(values, colon))})
      end
    end
  end
  if has_header then
    return pandoc.BulletList(items)
  end
  return pandoc.LineBlock(lines)
end

local layout = {}

-- Words Typst would read as code or markup where pandoc does not escape them: a "." and a letter
-- right after an inline written as a call (*a*.b gives #emph[a].b, a field of the call), and a
-- list, term or heading marker (+ - / = 1.) at the start of a table cell or list item. A
-- backslash before them (Typst's escape) keeps them text and adds no character.
local function needs_guard(text)
  return text:match("^%.[%a_\128-\255]") ~= nil
    or text:match("^[-+/]$") ~= nil
    or text:match("^=+$") ~= nil
    or text:match("^%d+%.$") ~= nil
end

-- A typed space before a mark of `spaces` (after it for an opening «) becomes the language's
-- no-break space: French "objectif : moins", "« oui »" in every format.
local function spaced(inlines, spaces)
  for i = 2, #inlines - 1 do
    local before, after = inlines[i - 1], inlines[i + 1]
    -- before may be a span of class keep ("(0,2 %)"), made from a Str by this walk
    local before_text = before.t == "Str" and before.text
      or before.t == "Span" and pandoc.utils.stringify(before) or nil
    if inlines[i].t == "Space" and before_text and after.t == "Str" then
      local opening = before_text:match("(«)$")
      local mark = opening or after.text:match("^[%p\194-\244][\128-\191]*")
      if mark and spaces[mark] and (opening or mark ~= "«") then
        inlines[i] = pandoc.Str(spaces[mark])
      end
    end
  end
  return inlines
end

-- A date or a size held together by no-break spaces ("5 November 2026", "19.7 KB"): a span of
-- class "keep" that the HTML page never breaks, even in a narrow table column.
local function kept(str)
  if str.text:find("\u{A0}", 1, true) and str.text:match("%d") then
    return {pandoc.Span({str}, {class = "keep"})}
  end
  return nil
end

-- The one walk every format shares; `asins` is a set of the notice's ASINs, `marks` the
-- language's punctuation (convert.write_texts).
function layout.marks(asins, marks)
  local spaces = marks and marks.spaces or {}
  return {
    Inlines = next(spaces) and function(inlines) return spaced(inlines, spaces) end or nil,
    Str = function(str)
      local out = mark_asin(str.text, asins) or breakable(str.text) or kept(str)
      if needs_guard(str.text) then
        return {typst("\\"), table.unpack(out or {str})}
      end
      return out
    end,
  }
end

-- A date the plan writes (its parts joined by no-break spaces) is kept on one line. In the PDF a
-- table with a column of dates is laid out by Typst from its content (every column auto): fixed
-- shares left a date, a kind or a size wider than its column, running into the next one.
local function is_date(cell)
  local text = pandoc.utils.stringify(cell.contents)
  return text:find("\u{A0}") ~= nil and text:match("%d%d%d%d$") ~= nil
end

local function date_columns(tbl)
  local dates, rows = {}, 0
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      rows = rows + 1
      for k, cell in ipairs(row.cells) do
        dates[k] = (dates[k] ~= false) and is_date(cell)
      end
    end
  end
  local has_dates = false
  for k, spec in ipairs(tbl.colspecs) do
    has_dates = has_dates or (rows > 0 and dates[k] and spec[2] ~= nil)
  end
  if not has_dates then
    return nil
  end
  for k, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[k] = {spec[1], nil}
  end
  return tbl
end

-- An item of a numbered list (an action, its reason, its date line) stays on one page.
local function unbroken_items(list)
  for k, item in ipairs(list.content) do
    list.content[k] = {
      pandoc.RawBlock("typst", "#block(breakable: false)["),
      table.unpack(item),
    }
    table.insert(list.content[k], pandoc.RawBlock("typst", "]"))
  end
  return list
end

-- The walk for the PDF (Typst) only, after `marks`.
layout.typst = {Table = date_columns, OrderedList = unbroken_items}

-- The walk for plain text only, after `marks`, with the language's punctuation.
function layout.plain(marks)
  return {Table = function(tbl) return table_as_lines(tbl, marks) end}
end

return layout
