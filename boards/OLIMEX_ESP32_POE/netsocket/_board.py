# Generated from boards/OLIMEX_ESP32_POE/board.json by `netsocket boards --generate`: do not edit.
# The port glue reads INTERFACE in default_interface() and lan().
NAME = 'OLIMEX_ESP32_POE'
INTERFACE = {"mdc": 23, "mdio": 18, "phy_addr": 0, "phy_type": "LAN8720", "power": 12, "ref_clk": 17, "ref_clk_mode": "OUT", "type": "ethernet"}
