# Xen lifecycle: CPU access on an import is forwarded to the exporter.
# dom0 exports a read-write and a read-only buffer to domu1, which brackets
# CPU access with DMA_BUF_IOCTL_SYNC (domu1/62-xen-cpu-access.sh); here,
# ftrace counts the dma_buf_begin/end_cpu_access() calls the requests cause
# on the exported dma-bufs, and the core counts the CPU_ACCESS messages.
. /lab/xen/xl.sh
xl_setup domu1 || exit 1
rc=0
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
trace=0
if echo 'dma_buf_begin_cpu_access dma_buf_end_cpu_access' > $T/set_ftrace_filter 2>/dev/null &&
   echo function > $T/current_tracer; then
	trace=1
else
	lab_log "no function tracer: counting messages only"
fi
rm -f /tmp/xl62*.h
xlife -t 120 $peer export 1 64K /tmp/xl62rw.h rw released 1 unexport > /tmp/xl62rw.out 2>&1 &
xa=$!
xlife -t 120 $peer export 1 64K /tmp/xl62ro.h released 1 unexport > /tmp/xl62ro.out 2>&1 &
xb=$!
xl_wait_file /tmp/xl62rw.h 30 $xa && xl_wait_file /tmp/xl62ro.h 30 $xb || { cat /tmp/xl62*.out; exit 1; }
[ $trace = 1 ] && echo > $T/trace
rx0=$(xl_cstat rx)
xl_put 62/rw /tmp/xl62rw.h
xl_put 62/ro /tmp/xl62ro.h
lab_kv_wait xl/62/synced 180 >/dev/null || { echo "domu1 did not finish"; kill $xa $xb; exit 1; }
rx1=$(xl_cstat rx)
# rw: 50 pairs; ro: 20 read pairs and one refused write (refused before
# dma_buf_begin_cpu_access); plus IMPORT and RELEASE of both
if [ $((rx1 - rx0)) -ge 145 ]; then
	lab_ok "CPU_ACCESS requests reached us: $((rx1 - rx0)) messages received (>= 2 x 70 + 1 + imports)"
else
	lab_notok "only $((rx1 - rx0)) messages received during the CPU accesses"; rc=1
fi
if [ $trace = 1 ]; then
	# stop, read, then reset (changing the tracer clears the buffer)
	echo 0 > $T/tracing_on
	b=$(grep -c ' dma_buf_begin_cpu_access <-' $T/trace)
	e=$(grep -c ' dma_buf_end_cpu_access <-' $T/trace)
	grep -m 2 'dma_buf_begin_cpu_access' $T/trace
	echo nop > $T/current_tracer
	echo > $T/set_ftrace_filter
	echo 1 > $T/tracing_on
	if [ "$b" -ge 70 ] && [ "$e" -ge 70 ]; then
		lab_ok "exporter ran dma_buf_begin_cpu_access $b times, dma_buf_end_cpu_access $e times (domu1: 70 pairs)"
	else
		lab_notok "exporter ran begin $b, end $e times (expected >= 70 each)"; rc=1
	fi
fi
wait $xa; xl_result 62 /tmp/xl62rw.out $? "rw buffer imported, released, unexported" || rc=1
wait $xb; xl_result 62 /tmp/xl62ro.out $? "ro buffer imported, released, unexported" || rc=1
exit $rc
