metadata(version="0.1.0", description="Mbed OS Socket API (netsocket) for MicroPython: core.")

package(
    "netsocket",
    files=[
        "__init__.py",
        "nsapi.py",
        "address.py",
        "_ipv6_text.py",
        "stack.py",
        "_sigio.py",
        "_wake.py",
        "socket.py",
        "udp.py",
        "interface.py",
        "wifi.py",
        "_nic.py",
        "_socket_server_opts.py",
        "_native_ipv6.py",
        "_iface_addr_dns.py",
        "_nsapi_errors.py",
        "_imports.py",
        "_stack_dns.py",
    ],
    base_path="..",
)
