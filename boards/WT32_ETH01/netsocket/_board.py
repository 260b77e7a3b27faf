# Generated from boards/WT32_ETH01/board.json by `netsocket boards --generate`: do not edit.
# The port glue reads INTERFACE in default_interface() and lan().
NAME = 'WT32_ETH01'
INTERFACE = {"mdc": 23, "mdio": 18, "phy_addr": 1, "phy_type": "LAN8720", "power": 16, "ref_clk": 0, "ref_clk_mode": "IN", "type": "ethernet"}
