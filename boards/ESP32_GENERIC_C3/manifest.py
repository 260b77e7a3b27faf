# Generic ESP32-C3 module (4 MB flash), USB Serial/JTAG: MicroPython esp32 port, board ESP32_GENERIC_C3.
include("$(PORT_DIR)/boards/manifest.py")
include("../../manifest.py")
include("../../ports/esp32/manifest.py")
# this board's default interface (generated from board.json: netsocket boards --generate)
package("netsocket", files=["_board.py"], base_path=".")
