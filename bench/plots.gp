# Plots of a bench/run.sh result folder; called by summarize.py with dir='...'.
set terminal pngcairo size 900,560 font ",11"
set grid
set key top left

set output dir.'/throughput.png'
set title "Throughput vs pairs (closed loop, 64 B, server pinned to one core)"
set logscale x
set xlabel "pairs"
set ylabel "messages/s delivered"
set format y "%.0s%c"
set xtics (1, 10, 100, 1000, 10000)
set key center right
plot dir.'/throughput.dat' using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "chat-server, window 1", \
     ''                     using 1:3 with linespoints lw 2 pt 7 dt 2 lc rgb "#ff7f0e" title "NATS, window 1", \
     ''                     using 1:4 with linespoints lw 2 pt 5 lc rgb "#2ca02c" title "chat-server, window 16", \
     ''                     using 1:5 with linespoints lw 2 pt 5 dt 2 lc rgb "#d62728" title "NATS, window 16"

set output dir.'/latency.png'
set title "Latency vs offered rate (1,000 pairs, open loop, from intended send time)"
set logscale xy
set xlabel "offered messages/s"
set ylabel "latency (us)"
set format y "%g"
set format x "%.0s%c"
set xtics auto
set key top left
# The open-loop sweep is only as good as the bench: summarize.py passes where chat-bench's core passed 90 %.
if (exists("bound") && bound > 0) { set arrow 1 from bound, graph 0 to bound, graph 1 nohead dt 3 lc rgb "#888888"; set label 1 "bench-bound from here (chat-bench core >= 90 %) " at bound, graph 0.05 right }
plot dir.'/latency.dat' using 1:3 with linespoints lw 2 pt 7 lc rgb "#2ca02c" title "chat-server p50", \
     ''                 using 1:4 with linespoints lw 2 pt 5 lc rgb "#1f77b4" title "chat-server p99", \
     ''                 using 1:5 with linespoints lw 2 pt 9 lc rgb "#9467bd" title "chat-server p99.9", \
     ''                 using 1:7 with linespoints lw 2 pt 7 dt 2 lc rgb "#bcbd22" title "NATS p50", \
     ''                 using 1:8 with linespoints lw 2 pt 5 dt 2 lc rgb "#ff7f0e" title "NATS p99", \
     ''                 using 1:9 with linespoints lw 2 pt 9 dt 2 lc rgb "#d62728" title "NATS p99.9"

unset arrow 1
unset label 1
set output dir.'/delivered.png'
set title "Delivered vs offered rate (1,000 pairs, open loop)"
set logscale xy
set ylabel "delivered messages/s"
set format y "%.0s%c"
plot dir.'/latency.dat' using 1:1 with lines lc rgb "#aaaaaa" title "offered", \
     ''                 using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "chat-server", \
     ''                 using 1:6 with linespoints lw 2 pt 5 dt 2 lc rgb "#ff7f0e" title "NATS"
