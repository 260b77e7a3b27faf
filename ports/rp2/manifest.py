# netsocket glue for the MicroPython rp2 port.
package("netsocket", files=["port_rp2.py"], base_path=".")
