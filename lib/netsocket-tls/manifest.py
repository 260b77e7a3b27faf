metadata(version="0.1.0", description="Mbed OS Socket API (netsocket) for MicroPython: TLSSocket, DTLSSocket over ssl.")

# Installs into the netsocket package next to the core (lib/netsocket); needs the port's ssl/tls module.
require("netsocket", library="netsocket")
package("netsocket", files=["tls.py", "_tls_name.py", "_tls_native.py"], base_path=".")
