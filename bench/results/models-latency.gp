set terminal pngcairo size 900,560 font 'sans,10'
set output 'models-latency.png'
set grid
set key outside right top
set title 'pages/s against server latency (base configurations)'
set xlabel 'server latency per response'
set ylabel 'pages/s'
set logscale y
set xrange [-0.3:3.3]
set xtics ('0 ms' 0, '10 ms' 1, '50 ms' 2, '200 ms' 3)
plot 'models-latency.dat' index 0 using 1:2 with linespoints lw 2 title 'sync', \
     'models-latency.dat' index 1 using 1:2 with linespoints lw 2 title 'async C=64', \
     'models-latency.dat' index 2 using 1:2 with linespoints lw 2 title 'processes N=2', \
     'models-latency.dat' index 3 using 1:2 with linespoints lw 2 title 'processes-async N=2 C=64', \
     'models-latency.dat' index 4 using 1:2 with linespoints lw 2 title 'curl-parallel C=64', \
     'models-latency.dat' index 5 using 1:2 with linespoints lw 2 title 'wget2 C=64'
