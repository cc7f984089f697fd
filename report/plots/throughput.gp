# Throughput vs pairs, closed loop: one panel per window, chat-server vs NATS, median with min-max bars
# (the two servers' points are nudged 6 % apart on x so their bars do not hide each other).
# Called by render.py with out, tmp, w1, w2 (the smallest and largest window in the data).
load common
set output out
set logscale x
set xrange [0.5:20000]
set xtics ("1" 1, "10" 10, "100" 100, "1,000" 1000, "9,900" 9900) 
set xlabel "pairs (2 connections each)"
set format y "%.0s%c"
set yrange [0:*]
set key bottom right   # yrange starts at 0: the bottom is free
set multiplot layout 1,2 margins 0.09,0.98,0.15,0.90 spacing 0.09,0
do for [w in sprintf("%d %d", w1, w2)] {
  set title sprintf("window %s (messages in flight per sender)", w) offset 0,-0.5
  set ylabel (w eq sprintf("%d", w1) ? "delivered messages/s" : "")
  # The larger window's axis passes a million, where whole units print 1.0M and 1.2M both as "1M".
  set format y (w eq sprintf("%d", w2) && w1 != w2 ? "%.1s%c" : "%.0s%c")
  plot tmp.'/tput_chat_w'.w.'.dat' using ($1*0.94):2:3:4 with yerrorlines lc rgb chat lw 1.5 pt 7 ps 0.5 title "chat-server", \
       tmp.'/tput_nats_w'.w.'.dat' using ($1*1.06):2:3:4 with yerrorlines lc rgb nats lw 1.5 dt 2 pt 5 ps 0.5 title "NATS"
  if (w1 == w2) { break }
}
unset multiplot
