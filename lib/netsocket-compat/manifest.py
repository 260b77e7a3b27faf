metadata(version="0.1.0", description="netsocket.compat: MicroPython's socket and ssl modules over any netsocket interface.")

# Installs into the netsocket package next to the core (lib/netsocket); its ssl facade uses netsocket-tls.
require("netsocket", library="netsocket")
require("netsocket-tls", library="netsocket")
package("netsocket", files=["compat.py", "_compat_server_dgram.py", "compat_ssl.py"], base_path=".")
