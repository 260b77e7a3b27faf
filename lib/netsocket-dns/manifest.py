metadata(version="0.1.0", description="Mbed OS Socket API (netsocket) for MicroPython: DNS resolver (A/AAAA, cache, async).")

# Installs into the netsocket package next to the core; the core's NetworkStack uses it for lookups.
require("netsocket", library="netsocket")
package("netsocket", files=["dns.py", "dns_msg.py"], base_path="..")
