metadata(version="0.1.0", description="netsocket cellular base: ATHandler, CellularInterface, non-IP sockets.")

# Installs into netsocket/cellular next to the core; a board adds one modem driver
# package (lib/netsocket-bg96, ...), required by name: require("netsocket-bg96", library="netsocket").
require("netsocket", library="netsocket")
package("netsocket/cellular", files=[
    "__init__.py", "at.py", "atstack.py", "interface.py", "nonip.py", "_board_modem.py", "_ppp.py",
    "_connect_thread.py", "_cell_info.py", "_cell_debug.py", "_atstack_udp.py",
], base_path="..")
