# The netsocket device package (MicroPython manifest API). Board manifests
# include this file and the glue of their port (ports/<port>/manifest.py).
include("lib/netsocket/manifest.py")
include("lib/netsocket-dns/manifest.py")
