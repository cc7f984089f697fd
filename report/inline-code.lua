-- Inline code as \texttt{...} rather than pandoc's \lstinline, which breaks inside captions
-- and table cells (moving arguments). Code blocks stay listings.
local escapes = {
  ["\\"] = "\\textbackslash{}", ["{"] = "\\{", ["}"] = "\\}", ["$"] = "\\$", ["&"] = "\\&",
  ["#"] = "\\#", ["^"] = "\\textasciicircum{}", ["_"] = "\\_", ["%"] = "\\%", ["~"] = "\\textasciitilde{}",
  ["-"] = "-{}",  -- no "--" to en-dash ligature: options stay --like-this
}

function Code(el)
  local text = el.text:gsub("[\\{}$&#^_%%~-]", escapes)
  return pandoc.RawInline("latex", "\\texttt{" .. text .. "}")
end
