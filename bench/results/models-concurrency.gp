set terminal pngcairo size 900,560 font 'sans,10'
set output 'models-concurrency.png'
set grid
set key outside right top
set title 'pages/s against transfers in flight per engine (C)'
set logscale xy 2
set xlabel 'C (concurrency per engine)'
set ylabel 'pages/s'
plot 'models-concurrency.dat' index 0 using 1:2 with linespoints lw 2 title 'async @ 0 ms', \
     'models-concurrency.dat' index 1 using 1:2 with linespoints lw 2 title 'async @ 50 ms', \
     'models-concurrency.dat' index 2 using 1:2 with linespoints lw 2 title 'processes-async N=2 @ 0 ms', \
     'models-concurrency.dat' index 3 using 1:2 with linespoints lw 2 title 'processes-async N=2 @ 50 ms', \
     x*1000.0/50 with lines dt 2 lc rgb 'gray' title 'bound C / 50 ms (one engine)'
