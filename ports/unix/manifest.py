# netsocket glue for the MicroPython unix port.
package("netsocket", files=["port_unix.py"], base_path=".")
