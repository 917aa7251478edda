-- Pandoc filter applied to every plan, in every output format.
-- User text is data: links may only go to web or mail addresses, images are never loaded, and
-- the ASINs of the notice are marked so every format can make them stand out.

local asins = {}

local function is_safe_url(url)
  local scheme = url:match("^(%a[%w+.-]*):")
  if scheme == nil then
    return url:sub(1, 1) == "#"  -- an anchor within the page
  end
  scheme = scheme:lower()
  return scheme == "http" or scheme == "https" or scheme == "mailto"
end

local function mark_asin(text)
  local before, asin, after = text:match("^(%p*)(%w+)(%p*)$")
  if asin == nil or not asins[asin] then
    return nil
  end
  local marked
  if FORMAT == "typst" then
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

return {
  {
    Meta = function(meta)
      -- The ASINs arrive as one comma-separated string (--metadata asins=...).
      for asin in pandoc.utils.stringify(meta.asins or ""):gmatch("[^,]+") do
        asins[asin] = true
      end
    end,
  },
  {
    Link = function(link)
      if not is_safe_url(link.target) then
        return link.content
      end
    end,
    Image = function(image)
      return pandoc.Str(pandoc.utils.stringify(image.caption))
    end,
    Str = function(str)
      return mark_asin(str.text)
    end,
  },
}
