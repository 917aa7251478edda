-- Every text format of a plan, for many plans from one pandoc process (`pandoc lua texts.lua`).
-- Each line on stdin is one JSON request {markdown, asins, formats, marks}; each line on stdout
-- is its answer, {"texts": {format: text}} or {"error": message}. A request with "docx" (a
-- path) and "epoch" also writes Word there, dated `epoch` (binary output stays out of JSON). Starting pandoc costs more than
-- converting a plan, so a build keeps one of these running instead of one pandoc per case.

local here = arg[0]:match("(.*[/\\])") or ""
local read = dofile(here .. "read.lua")
local safety = dofile(here .. "safety.lua")
local layout = dofile(here .. "layout.lua")

local OPTIONS = {
  html5 = {wrap_text = "wrap-none", html_q_tags = true},  -- <q>: quotes of the page's language
  typst = {wrap_text = "wrap-none", columns = 72},
  plain = {wrap_text = "wrap-none"},
}

local function texts(request)
  local doc = read(request.markdown)
  local asins = {}
  for _, asin in ipairs(request.asins) do
    asins[asin] = true
  end
  -- safety.lua and the layout in one walk: each walk of the tree costs as much as a writer.
  local filter = layout.marks(asins, request.marks)
  for _, rules in ipairs(safety) do
    for name, rule in pairs(rules) do
      assert(filter[name] == nil, "safety.lua and layout.lua both filter " .. name)
      filter[name] = rule
    end
  end
  doc = doc:walk(filter)
  if request.docx then
    -- The plan's language (Word's spelling check) and subject; title and author are filled in
    -- by convert.py, as pandoc would print them as a title block on the first page.
    doc.meta.lang = request.lang
    doc.meta.subject = request.subject
    -- Word's internal dates come from SOURCE_DATE_EPOCH: the plan's date, not today's.
    local bytes = pandoc.system.with_environment(
      {SOURCE_DATE_EPOCH = request.epoch},
      function() return pandoc.write(doc, "docx") end
    )
    local file = assert(io.open(request.docx, "wb"))
    file:write(bytes)
    file:close()
  end
  local out = {}
  for _, format in ipairs(request.formats) do
    local laid = doc
    if format == "plain" then
      laid = doc:walk(layout.plain(request.marks or {}))
    elseif format == "typst" then
      laid = doc:walk(layout.typst)
    end
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
