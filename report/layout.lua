-- Page layout rules for tables and code boxes, applied to every table and code block of the report
-- (the sections' Markdown and the output of <!-- run: --> / <!-- md: --> alike), so that no single
-- table or listing needs fixing by hand.
--
-- Tables. Pandoc gives a pipe table whose longest line exceeds 72 characters equal column widths
-- from its `|---|` line, whatever the columns hold, so a column of long names gets as much room as
-- one of three-digit numbers and a name runs into the next column (`fuzz_line_framer3,650,816`).
-- Here, a table whose widest cells fit on one line side by side keeps natural widths (no wrapping);
-- otherwise every column gets at least its longest word (its longest cell, if that is short), and
-- the rest of the line is shared in
-- proportion to how much more its longest cell holds. Widths given in the source are replaced too:
-- in a pipe table they only echo the lengths of the `---` runs.
--
-- Code boxes. A listing of at most KEEP_WHOLE_LINES lines goes in a minipage: it is never split
-- across pages, so no float (a figure placed at the top of the next page) can cut it in two.
-- Longer ones still break, at line boundaries, with their frame closed on both pages, but never
-- with only a line or two at the foot of a page (\needspace, report/preamble.tex). The limit is a
-- third of a page of code: a box kept whole that does not fit moves to the next page and leaves
-- the rest of this one blank (a 28-line box left 40 % of a page empty), and if that next page
-- starts with a figure the box may not fit under it at all (it then runs over the page's foot, an
-- `Overfull \vbox` that report/build.py refuses). A figure never lands inside a long box when it
-- sits in the source after the box (flafter), which is where the sections put them.

-- Characters of body text on one line of the text block (11 pt Latin Modern, a 164 mm wide block:
-- ~465 pt at ~5.5 pt per character), and the room one column's padding takes (2 \tabcolsep = 12 pt).
local LINE_CHARS = 84
local PAD_CHARS = 2.2
local KEEP_WHOLE_LINES = 20
-- A longer one starts on a new page unless this many lines of body text (~1.7 times as many lines
-- of the box's smaller type) are left on the page.
local MIN_LINES_BEFORE_BREAK = 6

-- Code prints in typewriter type, wider than the text's average letter: counted this much more.
local CODE_WIDTH = 1.15
-- A column whose longest cell is at most this many characters never wraps (a label or a number).
local SHORT_CELL = 18

-- the cell's text, and its width in characters of body text (code counted CODE_WIDTH each)
local function cell_text(cell)
  local text = pandoc.utils.stringify(cell.contents)
  local code = 0
  pandoc.walk_block(pandoc.Div(cell.contents), {
    Code = function(c) code = code + (utf8.len(c.text) or #c.text) end,
  })
  return text, (utf8.len(text) or #text) + (CODE_WIDTH - 1) * code
end

-- returns, per column, the longest cell and the longest word (in characters)
local function measure(tbl)
  local n = #tbl.colspecs
  local longest, word = {}, {}
  for i = 1, n do longest[i], word[i] = 0, 0 end
  local function row(r)
    for i, cell in ipairs(r.cells) do
      if i <= n then
        local text, width = cell_text(cell)
        local scale = width / math.max(utf8.len(text) or #text, 1)
        longest[i] = math.max(longest[i], width)
        for w in text:gmatch("%S+") do word[i] = math.max(word[i], (utf8.len(w) or #w) * scale) end
      end
    end
  end
  for _, r in ipairs(tbl.head.rows) do row(r) end
  for _, body in ipairs(tbl.bodies) do
    for _, r in ipairs(body.head or {}) do row(r) end
    for _, r in ipairs(body.body) do row(r) end
  end
  for _, r in ipairs(tbl.foot.rows) do row(r) end
  return longest, word
end

function Table(tbl)
  local n = #tbl.colspecs
  if n == 0 then return nil end
  local longest, word = measure(tbl)
  local room = LINE_CHARS - PAD_CHARS * n
  local natural = 0
  for i = 1, n do natural = natural + longest[i] end

  if natural <= room then
    for i = 1, n do tbl.colspecs[i] = { tbl.colspecs[i][1], nil } end
    return tbl
  end

  local minimum, demand, sum_min, sum_demand = {}, {}, 0, 0
  for i = 1, n do
    minimum[i] = (longest[i] <= SHORT_CELL and longest[i] or word[i]) + 1
    demand[i] = math.max(longest[i] - minimum[i], 0)
    sum_min = sum_min + minimum[i]
    sum_demand = sum_demand + demand[i]
  end
  local spare = math.max(room - sum_min, 0)
  for i = 1, n do
    local chars = minimum[i]
    if sum_demand > 0 then chars = chars + spare * demand[i] / sum_demand end
    -- widths are fractions of the line less the padding; if even the longest words do not fit,
    -- they are scaled down together (LaTeX then reports the overfull box, and the build fails)
    tbl.colspecs[i] = { tbl.colspecs[i][1], chars / math.max(room, sum_min) }
  end
  return tbl
end

function CodeBlock(block)
  if FORMAT ~= "latex" then return nil end
  local _, newlines = block.text:gsub("\n", "")
  if newlines + 1 > KEEP_WHOLE_LINES then
    return { pandoc.RawBlock("latex", "\\needspace{" .. MIN_LINES_BEFORE_BREAK .. "\\baselineskip}"), block }
  end
  return {
    pandoc.RawBlock("latex", "\\par\\noindent\\begin{minipage}{\\linewidth}"),
    block,
    pandoc.RawBlock("latex", "\\end{minipage}\\par"),
  }
end

-- A heading directly above a table: LaTeX may break the page between them (a longtable offers a
-- break at its start), leaving the heading alone at the foot of a page. The heading goes to the
-- next page unless the heading, the caption and the first rows fit (\needspace, report/preamble.tex).
local HEADING_TABLE_LINES = 8

-- (on the document's top-level blocks, where the headings are: pandoc 2.17 does not hand them to
-- a Blocks function)
function Pandoc(doc)
  if FORMAT ~= "latex" then return nil end
  local blocks = doc.blocks
  for i = #blocks - 1, 1, -1 do
    if blocks[i].t == "Header" and blocks[i + 1].t == "Table" then
      blocks:insert(i, pandoc.RawBlock("latex", "\\needspace{" .. HEADING_TABLE_LINES .. "\\baselineskip}"))
    end
  end
  return doc
end
