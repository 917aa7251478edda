-- Pandoc custom writer: every text format of a plan from one reading of its Markdown.
-- Returns a JSON object {format: text} for the formats named in --metadata formats=a,b,c,
-- each laid out by layout.lua, so pandoc starts once per case instead of once per format.

local here = PANDOC_SCRIPT_FILE:match("(.*[/\\])") or ""
local layout = dofile(here .. "layout.lua")

local OPTIONS = {
  html5 = {wrap_text = "wrap-none", html_q_tags = true},  -- <q>: quotes of the page's language
  typst = {wrap_text = "wrap-none", columns = 72},
  plain = {wrap_text = "wrap-none"},
}

local function set_of(value)
  local out = {}
  for item in pandoc.utils.stringify(value or ""):gmatch("[^,]+") do
    out[item] = true
  end
  return out
end

function Writer(doc, opts)
  local asins = set_of(doc.meta.asins)
  local out = {}
  for format in pandoc.utils.stringify(doc.meta.formats or ""):gmatch("[^,]+") do
    out[format] = pandoc.write(doc:walk(layout(format, asins)), format, OPTIONS[format])
  end
  return pandoc.json.encode(out)
end
