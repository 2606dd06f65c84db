# vm1 is killed while this guest holds a mapping of its buffer: the import
# is revoked (PEER_DOWN, SIGBUS on access, no region page left), and
# hyper_dmabufd stays healthy: it answers this guest at once, also after a
# device reset (driver reloaded), and refuses to route to the dead guest.
. /lab/virtio/hvio.sh
hvio_load
peer=$(hvio_peer) || { echo "FAIL: unexpected domid $(hvio_info domid)"; hvio_unload; exit 1; }
fails=0
check() { lab_tap "$@" || fails=$((fails + 1)); }
req() { echo "$@" 2>&1 >$D/request | sed 's/.*: //'; }
$XFER held $peer || fails=$((fails + 1))
e=$(req 1 $peer 00)
check "killed peer: message to the dead guest refused at once: $e" sh -c "echo '$e' | grep -qi 'not connected'"
hvio_unload || fails=$((fails + 1))
# a fresh device start (reset, rings, config) is served as before
hvio_load timeout_ms=5000
check "killed peer: device restarted, domid $(hvio_info domid)" test "$(hvio_info domid)" = 2
e=$(req 2 $peer 341200000000000001000000010800000100000000000000)
check "killed peer: MAP naming the dead guest refused: $e" sh -c "echo '$e' | grep -qi 'not connected'"
e=$(req 99 0)
check "killed peer: malformed request refused: $e" sh -c "echo '$e' | grep -qi 'invalid argument'"
check "killed peer: no request timed out ($(hvio_info timeouts))" test "$(hvio_info timeouts)" = 0
cat $D/info
hvio_unload || fails=$((fails + 1))
[ $fails = 0 ]
