# Server RSS growth per idle registered connection: bars = median, whiskers = min-max, value labels.
# Called by render.py with out, tmp. mem.dat: "connections" chat_med chat_min chat_max nats_med nats_min nats_max
# "chat_label" "nats_label"
load common
set output out
set style fill solid 0.85 noborder
set xlabel "idle registered connections held"
set ylabel "server RSS growth per connection (bytes)"
set format y "%.0f"
set yrange [0:*]
set xrange [-0.6:*]
set autoscale xfixmax
set offsets 0, 0.6, graph 0.12, 0
set grid noxtics
set xtics scale 0
set key top right
set arrow 1 from graph 0, first 2048 to graph 1, first 2048 nohead dt 3 lc rgb grey front
set label 1 "target 2 KiB" at graph 0.99, first 2048 offset 0,0.5 right tc rgb grey font ",8" front
d = 0.2    # half the distance between a group's two bars
bw = 0.36  # bar width
plot tmp.'/mem.dat' using 0:(NaN):xtic(1) with points, \
     ''             using ($0-d):2:(bw) with boxes lc rgb chat title "chat-server", \
     ''             using ($0+d):5:(bw) with boxes lc rgb nats title "NATS", \
     ''             using ($0-d):3:(0):($4-$3) with vectors nohead lc rgb "#222222" lw 0.8, \
     ''             using ($0+d):6:(0):($7-$6) with vectors nohead lc rgb "#222222" lw 0.8, \
     ''             using ($0-d):4:(strcol(8)) with labels offset 0,0.6 font ",8" tc rgb chat, \
     ''             using ($0+d):7:(strcol(9)) with labels offset 0,0.6 font ",8" tc rgb nats
