set terminal pngcairo size 900,560 font 'sans,10'
set output 'models-workers.png'
set grid
set key outside right top
set title 'pages/s against worker processes (N)'
set xlabel 'N (worker processes)'
set ylabel 'pages/s'
set logscale y
set xtics 1
plot 'models-workers.dat' index 0 using 1:2 with linespoints lw 2 title 'processes-async C=64 @ 0 ms', \
     'models-workers.dat' index 1 using 1:2 with linespoints lw 2 title 'processes-async C=64 @ 50 ms', \
     'models-workers.dat' index 2 using 1:2 with linespoints lw 2 title 'processes (sync) @ 0 ms', \
     'models-workers.dat' index 3 using 1:2 with linespoints lw 2 title 'processes (sync) @ 50 ms'
