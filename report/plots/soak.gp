# Soak (chat-server): per-interval latency (top), delivered messages/s (middle, when the intervals have it)
# and server RSS (bottom) vs time, on one time axis.
# Called by render.py with out, tmp, title, have_rate, rate (offered msgs/s, 0 = unknown). soak.dat: t p50 p99 p999 max rss_mib delivered_per_s
load common
nice(x) = (e = 10**floor(log10(x)), x/e < 2 ? e : x/e < 5 ? 2*e : 5*e)   # a round tic step near x
set terminal pdfcairo size 14cm,9cm
set output out
L = 0.10; R = 0.80        # same left/right margins in every panel, so the time axes line up
set multiplot title title font ",9"
set lmargin at screen L; set rmargin at screen R
set xrange [0:*]
set autoscale xfixmax
set key outside right top vertical Left reverse width -1

top_bottom = have_rate ? 0.52 : 0.40
set tmargin at screen 0.92; set bmargin at screen top_bottom
set logscale y
set format y "10^{%T}"
set ylabel "latency (µs)"
set format x ""
set arrow 1 from graph 0, first 300 to graph 1, first 300 nohead dt 3 lc rgb grey front
set label 1 "300 µs" at graph 1, first 300 offset 0.5,0 left tc rgb grey font ",8"
plot tmp.'/soak.dat' using 1:5 with lines lc rgb chat lw 0.7 dt 3 title "max", \
     ''              using 1:4 with lines lc rgb chat lw 1.0 dt 2 title "p99.9", \
     ''              using 1:3 with lines lc rgb chat lw 1.8 title "p99", \
     ''              using 1:2 with lines lc rgb "#56B4E9" lw 1.2 title "p50"
unset logscale y
unset arrow 1; unset label 1
set yrange [0:*]
set format y "%.0s%c"
if (have_rate) {
  set tmargin at screen 0.50; set bmargin at screen 0.34
  set ylabel "delivered/s"
  if (rate > 0) { set yrange [0:rate*1.3]; set ytics (0, rate/2, rate) } else { set ytics auto }
  plot tmp.'/soak.dat' using 1:7 with steps lc rgb grey lw 1.2 notitle
}
set tmargin at screen (have_rate ? 0.32 : 0.38); set bmargin at screen 0.12
set format y "%g"
set format x "%g"
set xlabel "time since measurement start (s)"
set ylabel "RSS (MiB)"
set yrange [0:*]
stats tmp.'/soak.dat' using 6 nooutput
set ytics 0, nice(STATS_max/2)
plot tmp.'/soak.dat' using 1:6 with steps lc rgb chat lw 1.8 notitle
unset multiplot
