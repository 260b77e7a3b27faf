# Virtual board: the MicroPython unix port under the netsocket supervisor.
include("$(PORT_DIR)/variants/manifest.py")
include("../../manifest.py")
include("../../ports/unix/manifest.py")
require("netsocket-bg96", library="netsocket")  # cellular tests run over an emulated BG96
require("netsocket-sim7600", library="netsocket")  # ... and an emulated SIM7600
require("netsocket-sim800", library="netsocket")  # ... and an emulated SIM800
require("netsocket-sara", library="netsocket")  # ... and an emulated u-blox SARA-R4
require("netsocket-tls", library="netsocket")
require("netsocket-compat", library="netsocket")  # socket/ssl facade (umqtt, urequests, asyncio over any interface)
