# netsocket glue for the MicroPython stm32 port.
package("netsocket", files=["port_stm32.py"], base_path=".")
