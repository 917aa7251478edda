-- Pandoc filter that lays out the plan's document tree for Word, the one format pandoc writes
-- from the command line (safety.lua has already run when the Markdown was read); see layout.lua.

local here = PANDOC_SCRIPT_FILE:match("(.*[/\\])") or ""
local layout = dofile(here .. "layout.lua")

-- The ASINs of the notice arrive as one comma-separated string (--metadata asins=...).
local function asin_set(meta)
  local asins = {}
  for asin in pandoc.utils.stringify(meta.asins or ""):gmatch("[^,]+") do
    asins[asin] = true
  end
  return asins
end

function Pandoc(doc)
  return doc:walk(layout.marks(asin_set(doc.meta)))
end
