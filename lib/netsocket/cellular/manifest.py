metadata(version="0.1.0", description="netsocket cellular base: ATHandler, CellularInterface, non-IP sockets.")

# Installs into netsocket/cellular next to the core; add one modem driver (e.g. manifest_bg96.py).
package("netsocket/cellular", files=["__init__.py", "at.py", "interface.py", "nonip.py"], base_path="../..")
