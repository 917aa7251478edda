-- Every text format of a plan, for many plans from one pandoc process (`pandoc lua texts.lua`).
-- Each line on stdin is one JSON request {markdown, asins, formats, reader}; each line on stdout
-- is its answer, {"texts": {format: text}} or {"error": message}. Starting pandoc costs more than
-- converting a plan, so a build keeps one of these running instead of one pandoc per case.
-- The arguments are the abbreviations of pandoc's data file, which the command line would load
-- (a no-break space follows "Ltd." or "Dr."): the text reads as it did from `pandoc` itself.

local here = arg[0]:match("(.*[/\\])") or ""
local safety = dofile(here .. "safety.lua")
local layout = dofile(here .. "layout.lua")

local OPTIONS = {
  html5 = {wrap_text = "wrap-none", html_q_tags = true},  -- <q>: quotes of the page's language
  typst = {wrap_text = "wrap-none", columns = 72},
  plain = {wrap_text = "wrap-none"},
}

-- As the command line reads: tables wider than 72 columns get relative column widths.
local READ = {columns = 72, abbreviations = {}}
for _, abbreviation in ipairs(arg) do
  READ.abbreviations[abbreviation] = true  -- a set: the strings are its keys
end

local function texts(request)
  -- An empty file list runs the reader sandboxed: it can read no file at all.
  local doc = pandoc.read(request.markdown, request.reader, READ, {})
  local asins = {}
  for _, asin in ipairs(request.asins) do
    asins[asin] = true
  end
  -- safety.lua and the layout in one walk: each walk of the tree costs as much as a writer.
  local filter = layout.marks(asins)
  for _, rules in ipairs(safety) do
    for name, rule in pairs(rules) do
      assert(filter[name] == nil, "safety.lua and layout.lua both filter " .. name)
      filter[name] = rule
    end
  end
  doc = doc:walk(filter)
  local out = {}
  for _, format in ipairs(request.formats) do
    local laid = format == "plain" and doc:walk(layout.plain) or doc
    out[format] = pandoc.write(laid, format, OPTIONS[format])
  end
  return out
end

for line in io.stdin:lines() do
  local ok, result = pcall(function() return texts(pandoc.json.decode(line, false)) end)
  if ok then
    io.stdout:write(pandoc.json.encode({texts = result}), "\n")
  else
    io.stdout:write(pandoc.json.encode({error = tostring(result)}), "\n")
  end
  io.stdout:flush()
end
