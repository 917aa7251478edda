-- Pandoc filter run on every plan right after it is read (texts.lua), before any format is written.
-- User text is data: links may only go to web or mail addresses, and images are never loaded.

-- Only web and mail links: no scripts, no files, and no anchors (a plan has no targets for
-- them, and a missing target would stop the PDF).
local function is_safe_url(url)
  local scheme = url:match("^(%a[%w+.-]*):")
  if scheme == nil then
    return false
  end
  scheme = scheme:lower()
  return scheme == "http" or scheme == "https" or scheme == "mailto"
end

return {
  {
    Link = function(link)
      if not is_safe_url(link.target) then
        return link.content
      end
    end,
    Image = function(image)
      return pandoc.Str(pandoc.utils.stringify(image.caption))
    end,
  },
}
