# Shared by every plot: size, font, and one colour per server (the same in every figure).
set terminal pdfcairo size 14cm,7cm font "Latin Modern Sans,9" linewidth 1 rounded enhanced
set encoding utf8
chat = "#0072B2"   # chat-server: blue
nats = "#D55E00"   # NATS: vermillion
grey = "#777777"
set border 3 lc rgb "#444444"
set tics nomirror out scale 0.6
set grid back lc rgb "#dddddd" lw 0.6 dt 1
set key noautotitle samplen 2.5 spacing 1.1
