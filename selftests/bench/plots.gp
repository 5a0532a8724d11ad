# SPDX-License-Identifier: GPL-2.0
#
# Plots of a benchmark result directory; run there (bench.sh does):
#   gnuplot plots.gp
# Reads loss.dat and buffer.dat written by report.py; CC columns are
# bbrx, bbr, cubic (NaN when a CC did not run).

set terminal pngcairo size 800,480 font ",10"
set grid ytics
set key top left opaque box
set datafile missing "NaN"

set output "goodput_vs_loss.png"
set title "Goodput vs random loss (median over repetitions)"
set xlabel "random loss on the data path"
set ylabel "goodput (Mbit/s)"
set yrange [0:*]
set offsets 0.3, 0.3, 0, 0
plot "loss.dat" using 0:2:xtic(1) with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "bbrx", \
     "" using 0:3 with linespoints lw 2 pt 5 lc rgb "#ff7f0e" title "bbr", \
     "" using 0:4 with linespoints lw 2 pt 9 lc rgb "#2ca02c" title "cubic"
set offsets 0, 0, 0, 0

set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xlabel "bottleneck buffer"

set output "rtt_vs_buffer.png"
set title "RTT under load / base RTT, per buffer size (median; p95 in the light bars)"
set ylabel "RTT / base RTT"
set yrange [0:*]
plot "buffer.dat" using 2:xtic(1) title "bbrx median" lc rgb "#1f77b4", \
     "" using 3 title "bbrx p95" lc rgb "#9ecae1", \
     "" using 5 title "bbr median" lc rgb "#ff7f0e", \
     "" using 6 title "bbr p95" lc rgb "#fdd0a2", \
     "" using 8 title "cubic median" lc rgb "#2ca02c", \
     "" using 9 title "cubic p95" lc rgb "#a1d99b"

set output "retrans_vs_buffer.png"
set title "Retransmitted segments per buffer size (median)"
set ylabel "retransmits (% of segments sent)"
set yrange [0:*]
plot "buffer.dat" using 4:xtic(1) title "bbrx" lc rgb "#1f77b4", \
     "" using 7 title "bbr" lc rgb "#ff7f0e", \
     "" using 10 title "cubic" lc rgb "#2ca02c"
