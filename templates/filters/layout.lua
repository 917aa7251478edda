-- How the plan's document tree is laid out for one output format: the ASINs of the notice are
-- marked so every format can make them stand out, plain text gets lines instead of tables (it is
-- pasted into a web form in a proportional font), and the PDF gets break points in very long
-- words. Used by plan.lua (one format) and outputs.lua (several formats from one reading).

-- Typst breaks lines only at spaces and hyphenation points: give very long words (codes,
-- file names, pasted URLs) zero-width break opportunities so they cannot run off the page.
local LONG = 30
local function breakable(text)
  if utf8.len(text) == nil or utf8.len(text) <= LONG then
    return nil
  end
  local parts, count = {}, 0
  for _, code in utf8.codes(text) do
    table.insert(parts, utf8.char(code))
    count = count + 1
    if count % 20 == 0 then
      table.insert(parts, "\u{200B}")
    end
  end
  return pandoc.Str(table.concat(parts))
end

local function mark_asin(text, format, asins)
  local before, asin, after = text:match("^(%p*)(%w+)(%p*)$")
  if asin == nil or not asins[asin] then
    return nil
  end
  local marked
  if format == "typst" then
    marked = pandoc.RawInline("typst", '#asin("' .. asin .. '")')
  else
    marked = pandoc.Span({pandoc.Str(asin)}, {class = "asin"})
  end
  local out = {}
  if before ~= "" then table.insert(out, pandoc.Str(before)) end
  table.insert(out, marked)
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

local function table_as_lines(tbl)
  local headers = {}
  for _, row in ipairs(tbl.head.rows) do
    headers = cells_text(row.cells)
  end
  local has_header = false
  for _, h in ipairs(headers) do
    if h ~= "" then has_header = true end
  end
  local blocks = {}
  local items = {}
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      local values = cells_text(row.cells)
      if has_header then
        local parts = {}
        for i, value in ipairs(values) do
          if value ~= "" then
            table.insert(parts, (headers[i] or "") .. ": " .. value)
          end
        end
        table.insert(items, {pandoc.Plain(pandoc.Inlines(table.concat(parts, "; ")))})
      else
        table.insert(blocks, pandoc.Plain(pandoc.Inlines(table.concat(values, ": "))))
      end
    end
  end
  if has_header then
    return pandoc.BulletList(items)
  end
  return pandoc.LineBlock((function()
    local lines = {}
    for _, block in ipairs(blocks) do table.insert(lines, block.content) end
    return lines
  end)())
end

return function(format, asins)
  return {
    Str = function(str)
      if format == "plain" then return nil end
      local marked = mark_asin(str.text, format, asins)
      if marked == nil and format == "typst" then
        return breakable(str.text)
      end
      return marked
    end,
    Table = function(tbl)
      if format == "plain" then return table_as_lines(tbl) end
    end,
  }
end
