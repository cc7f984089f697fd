-- The cover from report/metadata.yaml: "<course>, <subtitle>" under the title, then the group and
-- its authors one per line (pandoc's default template would set a list of authors side by side and
-- knows no course or group), then the date. An entry of `authors` that is still a placeholder
-- ("[...]") prints in italics, so that a printed copy shows it was never filled in.

local function is_placeholder(inlines)
  return pandoc.utils.stringify(inlines):match("^%[.*%]$") ~= nil
end

function Meta(meta)
  if meta.course and meta.subtitle then
    local line = pandoc.List(meta.course)
    line:insert(pandoc.Str(","))
    line:insert(pandoc.Space())
    line:extend(meta.subtitle)
    meta.subtitle = pandoc.MetaInlines(line)
  end
  if meta.group or meta.authors then
    local lines = pandoc.List()
    if meta.group then
      lines:insert(pandoc.List({ pandoc.Str("Group:"), pandoc.Space(), pandoc.Str(pandoc.utils.stringify(meta.group)) }))
    end
    for _, author in ipairs(meta.authors or {}) do
      local inlines = pandoc.List(author)
      lines:insert(is_placeholder(inlines) and pandoc.List({ pandoc.Emph(inlines) }) or inlines)
    end
    -- the PDF's Author field: the group and the authors filled in, without the cover's "Group:"
    -- label or a placeholder (pandoc would otherwise run the cover's lines together)
    local names = pandoc.List()
    if meta.group then names:insert(pandoc.utils.stringify(meta.group)) end
    for _, author in ipairs(meta.authors or {}) do
      if not is_placeholder(pandoc.List(author)) then names:insert(pandoc.utils.stringify(author)) end
    end
    meta["author-meta"] = table.concat(names, ", ")
    local out = pandoc.List()
    for i, line in ipairs(lines) do
      if i > 1 then out:insert(pandoc.RawInline("latex", "\\\\[0.6ex]")) end
      out:extend(line)
    end
    meta.author = pandoc.MetaInlines(out)
    meta.authors = nil
  end
  return meta
end
