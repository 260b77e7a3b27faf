# Generated from boards/ESP32_GENERIC_C3/board.json by `netsocket boards --generate`: do not edit.
# The port glue reads INTERFACE in default_interface() and lan().
NAME = 'ESP32_GENERIC_C3'
INTERFACE = {"type": "wifi"}
