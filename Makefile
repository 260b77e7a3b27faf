# Shortcuts for the two README commands (which need no make).
.PHONY: setup demo test docs bench clean
setup:
	bash tools/dev.sh setup
demo:
	bash tools/dev.sh demo
test:
	bash tools/dev.sh test
docs:
	bash tools/dev.sh docs
bench: setup
	.venv/bin/netsocket bench harness
	.venv/bin/netsocket bench sockets
clean:
	rm -rf build
