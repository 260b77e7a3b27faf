# Generic ESP32-S3 module (8 MB flash), native USB or UART bridge: MicroPython esp32 port, board ESP32_GENERIC_S3.
include("$(PORT_DIR)/boards/manifest.py")
include("../../manifest.py")
include("../../ports/esp32/manifest.py")
# this board's default interface (generated from board.json: netsocket boards --generate)
package("netsocket", files=["_board.py"], base_path=".")
