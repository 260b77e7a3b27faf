pytest_plugins = ["netsocket_harness.runner.plugin"]
