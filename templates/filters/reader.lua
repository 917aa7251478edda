-- Pandoc custom reader for the command line (`--from reader.lua`, used for Word): reads a plan's
-- Markdown as every other output does (read.lua).

local here = PANDOC_SCRIPT_FILE:match("(.*[/\\])") or ""
local read = dofile(here .. "read.lua")

function Reader(input, options)
  return read(tostring(input), options)
end
