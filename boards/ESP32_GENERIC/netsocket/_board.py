# Generated from boards/ESP32_GENERIC/board.json by `netsocket boards --generate`: do not edit.
# The port glue reads INTERFACE in default_interface() and lan().
NAME = 'ESP32_GENERIC'
INTERFACE = {"type": "wifi"}
