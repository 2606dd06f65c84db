. /lab/common/core-module.sh
