# The netsocket device package (MicroPython manifest API). Board manifests
# include this file and the glue of their port (ports/<port>/manifest.py).
metadata(description="Mbed OS Socket API for MicroPython", version="0.1.0")
package("netsocket", base_path="lib")
