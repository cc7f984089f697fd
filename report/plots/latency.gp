# Latency vs offered rate, open loop: colour = server, line style = percentile; p99 with min-max bars
# (nudged 250 msgs/s left for chat-server, right for NATS).
# Called by render.py with out, tmp, bound (first rate with a bench-bound run, 0 = none), pairs (text, "1,000").
load common
set output out
set logscale y
set xrange [0:*]
set autoscale xfixmax
set format x "%.0s%c"
set xlabel "offered messages/s (both directions, all pairs)"
set ylabel "latency from intended send time (µs)"
set format y "10^{%T}"
set yrange [10:300000]
set title sprintf("%s pairs, open loop, median of repetitions (bars on p99: min–max)", pairs) offset 0,-0.5
set rmargin 16
set key outside right top vertical Left reverse width -2
if (bound > 0) {
  set object 1 rect from bound, graph 0 to graph 1, graph 1 back fc rgb "#eeeeee" fs solid noborder
  set label 1 "chat-bench core over 90 %\n(bench-bound)" at bound, graph 0.08 offset 0.5,0 left tc rgb grey font ",8"
}
set arrow 2 from graph 0, first 300 to graph 1, first 300 nohead dt 3 lc rgb grey
set label 2 "p99 target 300 µs" at graph 0.99, first 300 offset 0,0.45 right tc rgb grey font ",8"
plot tmp.'/lat_chat.dat' using 1:4 with linespoints lc rgb chat lw 1.2 dt 3 pt 6 ps 0.5 title "chat-server p99.9", \
     ''                  using 1:3 with linespoints lc rgb chat lw 1.8 dt 1 pt 7 ps 0.5 title "chat-server p99", \
     ''                  using ($1-250):5:(0):($6-$5) with vectors nohead lc rgb chat lw 1, \
     ''                  using 1:2 with linespoints lc rgb chat lw 1.2 dt 2 pt 4 ps 0.5 title "chat-server p50", \
     tmp.'/lat_nats.dat' using 1:4 with linespoints lc rgb nats lw 1.2 dt 3 pt 6 ps 0.5 title "NATS p99.9", \
     ''                  using 1:3 with linespoints lc rgb nats lw 1.8 dt 1 pt 7 ps 0.5 title "NATS p99", \
     ''                  using ($1+250):5:(0):($6-$5) with vectors nohead lc rgb nats lw 1, \
     ''                  using 1:2 with linespoints lc rgb nats lw 1.2 dt 2 pt 4 ps 0.5 title "NATS p50"
