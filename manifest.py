# The netsocket device packages (MicroPython manifest API). They live in lib/,
# one folder per installable package, all installing into the `netsocket`
# package; a board manifest includes this file (the core and DNS), its port's
# glue, and requires whatever else the board uses, e.g.
#   require("netsocket-tls", library="netsocket")
add_library("netsocket", "lib")
require("netsocket", library="netsocket")
require("netsocket-dns", library="netsocket")
