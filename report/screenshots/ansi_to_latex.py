#!/usr/bin/env python3
"""Draws a terminal capture (tmux capture-pane -p -e) as a LaTeX figure for the report.

  ansi_to_latex.py CAPTURE COLUMNS LABEL CAPTION

prints a ```{=latex} block (for build.py's <!-- md: --> lines): a figure holding the screen in a
frame exactly COLUMNS characters wide, in the report's small typewriter type, with the SGR colours
and bold the capture carries. A line wrapped by the terminal stays wrapped where the terminal
wrapped it. Terminal colours are mapped to darker shades of the same hue, so that they read on
white paper and stay apart in greyscale (the terminal's yellow would vanish on paper). Only the
SGR codes chat-client sends are known (0, 1, 22, 31-36, 39, 49); any other escape fails the build.
"""
import re
import sys

# SGR foreground code -> the xcolor shade that prints it
COLOURS = {31: "red!75!black", 32: "green!45!black", 33: "orange!75!black", 34: "blue!70!black",
           35: "magenta!70!black", 36: "cyan!45!blue!70!black"}
# Characters the capture may hold that pdfLaTeX's typewriter font does not: their TeX.
SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "→": r"\ensuremath{\rightarrow}",
           "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
           " ": r"\ ", "-": r"{-}", "<": r"\textless{}", ">": r"\textgreater{}", "'": r"\textquotesingle{}"}
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def line_to_tex(line, state):
    """One screen line as TeX; STATE (bold, colour) carries over from line to line, as on screen."""
    def opened():
        tex = ""
        if state["colour"]:
            tex += r"\color{" + COLOURS[state["colour"]] + "}"
        if state["bold"]:
            tex += r"\bfseries{}"
        return tex

    text = "{" + opened()
    pos = 0
    for m in SGR.finditer(line):
        text += "".join(SPECIAL.get(c, c) for c in line[pos:m.start()])
        pos = m.end()
        for code in (int(c) for c in (m.group(1) or "0").split(";")):
            if code == 0:
                state["bold"], state["colour"] = False, None
            elif code == 1:
                state["bold"] = True
            elif code == 22:
                state["bold"] = False
            elif code in COLOURS:
                state["colour"] = code
            elif code == 39:
                state["colour"] = None
            elif code == 49:
                pass  # default background: the page
            else:
                sys.exit(f"ansi_to_latex.py: unknown SGR code {code}")
        text += "}{" + opened()
    rest = line[pos:]
    if "\x1b" in rest:
        sys.exit(f"ansi_to_latex.py: an escape that is not SGR in {rest!r}")
    return text + "".join(SPECIAL.get(c, c) for c in rest) + "}"


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    path, columns, label, caption = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    lines = open(path, encoding="utf-8").read().rstrip("\n").split("\n")
    state = {"bold": False, "colour": None}
    body = [line_to_tex(line, state) + r"\\" for line in lines]
    width = rf"{columns}\fontcharwd\font`M"  # the terminal's width in characters of this type
    print("```{=latex}")
    print(r"\begin{figure}[htbp]\centering")
    print(r"\small\ttfamily\setlength{\fboxsep}{5pt}\setlength{\fboxrule}{0.4pt}")
    print(r"\fbox{\begin{minipage}{" + width + r"}\raggedright\frenchspacing\hyphenchar\font=-1")
    print("\n".join(body))
    print(r"\end{minipage}}")
    print(r"\caption{" + caption + r"}\label{" + label + "}")
    print(r"\end{figure}")
    print("```")


if __name__ == "__main__":
    main()
