# netsocket glue for the MicroPython esp32 port.
package("netsocket", files=["port_esp32.py"], base_path=".")
