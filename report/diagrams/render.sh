#!/usr/bin/env bash
# Renders the report's diagrams as vector PDFs into OUTDIR.
# Usage: report/diagrams/render.sh OUTDIR
# Needs graphviz (dot, neato) and python3; CHAT_SERVER names the chat-server binary that
# plays the Noy/Elias conversation (default: build/bin/chat-server under the repo root).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:?usage: render.sh OUTDIR}
server=${CHAT_SERVER:-$root/build/bin/chat-server}
mkdir -p "$out"

# cairo stamps each PDF with the time it was made; overwrite the digits in place (same
# length, so the xref offsets stay valid) to get the same bytes from the same input.
strip_date() {
  perl -0777 -pi -e 's{(/CreationDate \(D:)\d{14}}{${1}19700101000000}' "$1"
}

# Hand-written diagrams: laid out by dot.
for name in client-states components thread-vs-coroutine msg-path cluster; do
  dot -Tpdf "$here/$name.dot" -o "$out/$name.pdf"
  strip_date "$out/$name.pdf"
done

# The sequence diagram: a real run of the conversation against chat-server, drawn with
# pinned positions (neato -n2). The transcript lands beside it as plain text.
python3 "$here/sequence.py" "$server" "$out/sequence-noy-elias.dot" "$out/sequence-noy-elias.txt"
neato -n2 -Tpdf "$out/sequence-noy-elias.dot" -o "$out/sequence-noy-elias.pdf"
strip_date "$out/sequence-noy-elias.pdf"
