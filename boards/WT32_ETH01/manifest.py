# Wireless-Tag WT32-ETH01 v1.4: MicroPython esp32 port, board ESP32_GENERIC.
include("$(PORT_DIR)/boards/manifest.py")
include("../../manifest.py")
include("../../ports/esp32/manifest.py")
# this board's default interface (generated from board.json: netsocket boards --generate)
package("netsocket", files=["_board.py"], base_path=".")
