-- How a plan's Markdown is read, for every output: CommonMark with pipe tables, smart
-- punctuation and strikeout, and nothing that reaches outside the text (no math, no attributes,
-- and HTML shown as the characters typed). Returns a function from Markdown to a document.
--
-- CommonMark is read about twice as fast as pandoc's own Markdown, and reads lists and headings
-- the way sellers who know GitHub expect. It gives pipe tables no column widths, so they are
-- worked out here as pandoc's Markdown reader does: when a line of the table is longer than 72
-- characters, each column gets the share of the separator line's dashes that is its own.

local FORMAT = "commonmark+pipe_tables+smart+strikeout+gfm_auto_identifiers"
local COLUMNS = 72

local SEPARATOR_CELL = "^%s*(:?)(%-+)(:?)%s*$"

-- The cells of a pipe table row between its outer pipes (escaped pipes stay inside a cell).
local function cells(line)
  local body = line:gsub("^%s*|", ""):gsub("|%s*$", "")
  local out, current, escaped = {}, {}, false
  for _, code in utf8.codes(body) do
    local char = utf8.char(code)
    if char == "|" and not escaped then
      table.insert(out, table.concat(current))
      current = {}
    else
      table.insert(current, char)
    end
    escaped = char == "\\" and not escaped
  end
  table.insert(out, table.concat(current))
  return out
end

-- The dash counts of a separator line (| :--- | ---: |), or nil if it is not one.
local function separator(line)
  if not line:find("|", 1, true) or not line:find("-", 1, true) then
    return nil
  end
  local lengths = {}
  for _, cell in ipairs(cells(line)) do
    local left, dashes, right = cell:match(SEPARATOR_CELL)
    if dashes == nil then
      return nil
    end
    table.insert(lengths, #left + #dashes + #right)
  end
  return lengths
end

-- Relative column widths of each pipe table, in the order the tables appear (nil: default).
local function table_widths(markdown)
  local lines = {}
  for line in (markdown .. "\n"):gmatch("(.-)\r?\n") do
    table.insert(lines, line)
  end
  local out = {}
  local i = 2
  while i <= #lines do
    local lengths = lines[i - 1]:find("|", 1, true) and separator(lines[i])
    if lengths then
      local longest = math.max(utf8.len(lines[i - 1]) or 0, utf8.len(lines[i]) or 0)
      local j = i + 1
      while j <= #lines and lines[j]:find("|", 1, true) and lines[j]:match("%S") do
        longest = math.max(longest, utf8.len(lines[j]) or 0)
        j = j + 1
      end
      local widths = false
      if longest > COLUMNS then
        local total = 0
        for _, length in ipairs(lengths) do total = total + length end
        widths = {}
        for k, length in ipairs(lengths) do widths[k] = length / total end
      end
      table.insert(out, widths)
      i = j + 1
    else
      i = i + 1
    end
  end
  return out
end

-- The CommonMark reader keeps HTML as raw HTML whatever its extensions say: user text is data,
-- so every raw element becomes the text it was written as.
local function lines(text)
  local out = {}
  for line in text:gsub("\n$", ""):gmatch("[^\n]*") do
    if #out > 0 then table.insert(out, pandoc.SoftBreak()) end
    table.insert(out, pandoc.Str(line))
  end
  return out
end

local AS_TEXT = {
  RawInline = function(raw) return pandoc.Str(raw.text) end,
  RawBlock = function(raw) return pandoc.Para(lines(raw.text)) end,
}

-- A header row of empty cells is no header (the plan's front matter is such a table). In the
-- PDF the table's first row is shaded as its header, so a table without one is wrapped in a
-- Typst block that turns the shading off; other writers drop raw Typst.
local function empty_head(tbl)
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      if #cell.contents > 0 then return false end
    end
  end
  return true
end

local function headless(tbl)
  tbl.head = pandoc.TableHead()
  return {
    pandoc.RawBlock("typst", "#[\n#set table(fill: none)"),
    tbl,
    pandoc.RawBlock("typst", "]"),
  }
end

-- One table as read: the column widths worked out for it (if any), and no header if it is empty.
local function laid_out(tbl, shares)
  if shares and #shares == #tbl.colspecs then
    for k, spec in ipairs(tbl.colspecs) do
      tbl.colspecs[k] = {spec[1], shares[k]}
    end
  end
  return empty_head(tbl) and headless(tbl) or tbl
end

local function with_tables(doc, widths)
  local index = 0
  local out = doc:walk({
    Table = function(tbl)
      index = index + 1
      return laid_out(tbl, widths[index])
    end,
  })
  return out, index
end

return function(markdown, options)
  -- An empty file list runs the reader sandboxed: it can read no file at all.
  local doc = pandoc.read(markdown, FORMAT, options, {})
  if markdown:find("<", 1, true) then  -- raw HTML starts with one; most plans have none
    doc = doc:walk(AS_TEXT)
  end
  local widths = table_widths(markdown)
  local read, tables = with_tables(doc, widths)
  if tables ~= #widths then
    -- A table this scan did not see as one: leave every width to the writers.
    read = with_tables(doc, {})
  end
  return read
end
