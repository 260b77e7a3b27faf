# Shortcuts for the two README commands (which need no make).
.PHONY: setup demo test bench clean
setup:
	bash tools/dev.sh setup
demo:
	bash tools/dev.sh demo
test:
	bash tools/dev.sh test
bench: setup
	.venv/bin/netsocket bench harness
	.venv/bin/netsocket bench sockets
clean:
	rm -rf build
