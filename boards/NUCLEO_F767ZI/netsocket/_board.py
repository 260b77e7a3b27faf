# Generated from boards/NUCLEO_F767ZI/board.json by `netsocket boards --generate`: do not edit.
# The port glue reads INTERFACE in default_interface() and lan().
NAME = 'NUCLEO_F767ZI'
INTERFACE = {"phy_addr": 0, "phy_type": "LAN8742", "type": "ethernet"}
