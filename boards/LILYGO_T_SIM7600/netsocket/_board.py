# Generated from boards/LILYGO_T_SIM7600/board.json by `netsocket boards --generate`: do not edit.
# The port glue reads INTERFACE in default_interface() and lan().
NAME = 'LILYGO_T_SIM7600'
INTERFACE = {"dtr": 32, "flight": 25, "modem": "SIM7600", "pwrkey": 4, "pwrkey_active": 1, "pwrkey_pulse_ms": 500, "rx": 26, "status": 34, "tx": 27, "type": "cellular", "uart": 1, "uart_baud": 115200}
