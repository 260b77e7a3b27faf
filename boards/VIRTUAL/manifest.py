# Virtual board: the MicroPython unix port under the netsocket supervisor.
include("$(PORT_DIR)/variants/manifest.py")
include("../../manifest.py")
include("../../ports/unix/manifest.py")
