# netsocket glue for the MicroPython unix port.
package("netsocket", files=["port_unix.py", "_unix_host.py"], base_path=".")
