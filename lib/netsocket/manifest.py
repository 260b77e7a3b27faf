metadata(version="0.1.0", description="Mbed OS Socket API (netsocket) for MicroPython: core.")

package(
    "netsocket",
    files=[
        "__init__.py",
        "nsapi.py",
        "address.py",
        "_ip6.py",
        "stack.py",
        "_sigio.py",
        "socket.py",
        "udp.py",
        "interface.py",
        "wifi.py",
        "_nic.py",
        "_sockx.py",
        "_six.py",
        "_ifx.py",
        "_nsx.py",
    ],
    base_path="..",
)
