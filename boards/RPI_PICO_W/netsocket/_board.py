# Generated from boards/RPI_PICO_W/board.json by `netsocket boards --generate`: do not edit.
# The port glue reads INTERFACE in default_interface() and lan().
NAME = 'RPI_PICO_W'
INTERFACE = {"type": "wifi"}
