# Virtual board: the MicroPython unix port under the netsocket supervisor.
include("$(PORT_DIR)/variants/manifest.py")
include("../../manifest.py")
include("../../ports/unix/manifest.py")
include("../../lib/netsocket/cellular/manifest_bg96.py")  # cellular tests run over an emulated BG96
include("../../lib/netsocket-tls/manifest.py")
