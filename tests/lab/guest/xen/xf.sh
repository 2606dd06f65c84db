# Helpers for the Xen fence tests (xen/*/7[5-9]-fence-*.sh): each side runs
# tests/xen/fence.c (xfence) as a session fed through a FIFO (common/
# xfence.sh), and the roles meet on xenstore keys under /lab/fNN/.
. /lab/xen/xp.sh
. /lab/common/xfence.sh

# xf_setup PEER_ROLE...: as xp_setup (modules, vgem, domids, channels up)
xf_setup() { xp_setup "$@"; }
