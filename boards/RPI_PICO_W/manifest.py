# Raspberry Pi Pico W: MicroPython rp2 port, board RPI_PICO_W.
include("$(PORT_DIR)/boards/RPI_PICO_W/manifest.py")
include("../../manifest.py")
include("../../ports/rp2/manifest.py")
# this board's default interface (generated from board.json: netsocket boards --generate)
package("netsocket", files=["_board.py"], base_path=".")
