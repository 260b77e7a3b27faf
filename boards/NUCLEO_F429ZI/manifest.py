# ST NUCLEO-F429ZI: MicroPython stm32 port, board NUCLEO_F429ZI.
include("$(PORT_DIR)/boards/manifest.py")
include("../../manifest.py")
include("../../ports/stm32/manifest.py")
# this board's default interface (generated from board.json: netsocket boards --generate)
package("netsocket", files=["_board.py"], base_path=".")
