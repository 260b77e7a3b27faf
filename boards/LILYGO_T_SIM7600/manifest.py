# LilyGO T-SIM7600 (ESP32-WROVER-B + SIMCom SIM7600 LTE modem on UART1): MicroPython esp32 port, board ESP32_GENERIC.
include("$(PORT_DIR)/boards/manifest.py")
include("../../manifest.py")
include("../../ports/esp32/manifest.py")
require("netsocket-sim7600", library="netsocket")  # the modem's socket stack (and the cellular base)
# this board's default interface (generated from board.json: netsocket boards --generate)
package("netsocket", files=["_board.py"], base_path=".")
