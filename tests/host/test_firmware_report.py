"""`netsocket build --micropython`: a failed build shows its first error lines and its log; a finished one
says how much flash netsocket's frozen modules take. There is no MicroPython checkout or cross toolchain
here, so the parsing is tested on build output in the real tools' formats, and the size on an object file
the host's own gcc makes with the symbol names mpy-tool.py gives frozen modules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netsocket_harness.board import load_board
from netsocket_harness.errors import HarnessError
from netsocket_harness.firmware import _run, first_errors, frozen_size, measure_frozen

# `make BOARD=RPI_PICO_W` in ports/rp2 on a machine without network: pico-sdk's picotool fetch fails
RP2_NO_NETWORK = """\
Use make V=1 or set BUILD_VERBOSE in your environment to increase build verbosity.
[ -e build-RPI_PICO_W/Makefile ] || cmake -S . -B build-RPI_PICO_W -DPICO_BUILD_DOCS=0 -DMICROPY_BOARD=RPI_PICO_W
PICO_SDK_PATH is /src/micropython/lib/pico-sdk
Target board (PICO_BOARD) is 'pico_w'.
-- The C compiler identification is GNU 12.2.1
No installed picotool with version 2.1.1 found - building from source
  It is recommended to build and install picotool separately, or to set
  PICOTOOL_FETCH_FROM_GIT_PATH to a common directory for all your SDK
  projects
Downloading Picotool
[ 11%] Creating directories for 'picotool-populate'
[ 22%] Performing download step (git clone) for 'picotool-populate'
Cloning into 'picotool'...
fatal: unable to access 'https://github.com/raspberrypi/picotool.git/': Could not resolve host: github.com
Cloning into 'picotool'...
fatal: unable to access 'https://github.com/raspberrypi/picotool.git/': Could not resolve host: github.com
-- Had to git clone more than once: 3 times.
CMake Error at picotool-subbuild/picotool-populate-prefix/tmp/picotool-populate-gitclone.cmake:50 (message):
  Failed to clone repository: 'https://github.com/raspberrypi/picotool.git'


gmake[2]: *** [CMakeFiles/picotool-populate.dir/build.make:102: picotool-populate-prefix/src/picotool-populate-stamp/picotool-populate-download] Error 1
gmake[1]: *** [CMakeFiles/Makefile2:83: CMakeFiles/picotool-populate.dir/all] Error 2
gmake: *** [Makefile:91: all] Error 2
-- Configuring incomplete, errors occurred!
make: *** [Makefile:64: all] Error 1
"""

# ports/stm32 with a typo in a C module: gcc's diagnostics, then make's
STM32_COMPILE_ERROR = """\
CC ../../py/mpstate.c
CC ../../extmod/modnetwork.c
../../extmod/modnetwork.c: In function 'network_route':
../../extmod/modnetwork.c:142:5: error: 'mp_obj_new_lsit' undeclared (first use in this function); did you mean 'mp_obj_new_list'?
  142 |     mp_obj_new_lsit(0, NULL);
      |     ^~~~~~~~~~~~~~~
../../extmod/modnetwork.c:142:5: note: each undeclared identifier is reported only once for each function it appears in
make: *** [../../py/mkrules.mk:97: build-NUCLEO_F429ZI/extmod/modnetwork.o] Error 1
"""


def test_first_errors_of_a_build_without_network():
    assert first_errors(RP2_NO_NETWORK) == [
        "fatal: unable to access 'https://github.com/raspberrypi/picotool.git/': Could not resolve host: github.com",
        "CMake Error at picotool-subbuild/picotool-populate-prefix/tmp/picotool-populate-gitclone.cmake:50 (message):",
        "Failed to clone repository: 'https://github.com/raspberrypi/picotool.git'",
    ]


def test_first_errors_of_a_compile_error():
    assert first_errors(STM32_COMPILE_ERROR) == [
        "../../extmod/modnetwork.c:142:5: error: 'mp_obj_new_lsit' undeclared (first use in this function); "
        "did you mean 'mp_obj_new_list'?"]


def test_failed_step_shows_first_errors_and_its_log(tmp_path):
    # a stand-in for make (a mock: no MicroPython checkout here): prints a real failed build's output
    make = [sys.executable, "-c", f"import sys; sys.stdout.write({RP2_NO_NETWORK!r}); sys.exit(2)"]
    log = tmp_path / "build.log"
    with pytest.raises(HarnessError) as e:
        _run(make, "MicroPython's rp2 build", log)
    assert str(e.value) == f"MicroPython's rp2 build failed (exit status 2); full log: {log}"
    assert e.value.details[0].endswith("Could not resolve host: github.com")
    assert log.read_text() == RP2_NO_NETWORK
    with pytest.raises(HarnessError, match="cannot start: No such file or directory: no-such-make"):
        _run(["no-such-make"], "MicroPython's rp2 build", log)


def test_frozen_size_from_arm_nm_output():
    # arm-none-eabi-nm --print-size --radix=d on an rp2 build's frozen_content.c.obj
    text = """\
00000000 00000052 r children_netsocket_socket_TCPSocket
00000052 00000016 r const_obj_netsocket_address_0
00000068 00000212 r const_qstr_table_data_netsocket_socket
00000280 00001480 r fun_data_netsocket_socket__lt_module_gt_
00001760 00000012 r frozen_module_netsocket_socket
00001772 00000012 r frozen_module_netsocket_address
00001784 00000900 r fun_data_asyncio_core__lt_module_gt_
00002684 00000012 r frozen_module_asyncio_core
00000000 00000024 D mp_frozen_names
         U mp_type_tuple
"""
    size = frozen_size(text, Path("frozen_content.c.obj"))
    assert (size.modules, size.total, size.bytecode) == (2, 52 + 16 + 212 + 1480 + 12 + 12, 1480)
    assert size.all_frozen == size.total + 900 + 12 + 24
    assert size.describe().startswith("netsocket adds 1.7 KB of flash: 2 frozen modules, 1.4 KB of it bytecode")


@pytest.mark.skipif(not shutil.which("gcc") or not shutil.which("nm"), reason="needs the host's gcc and nm")
def test_frozen_size_of_a_real_object(tmp_path):
    (tmp_path / "build").mkdir()
    src = tmp_path / "frozen_content.c"
    src.write_text("""\
static const unsigned char fun_data_netsocket_socket__lt_module_gt_[300] = {1};
static const unsigned short const_qstr_table_data_netsocket_socket[10] = {1};
static const struct { const void *a; int b; } frozen_module_netsocket_socket = {fun_data_netsocket_socket__lt_module_gt_, 2};
static const unsigned char fun_data_asyncio_core__lt_module_gt_[500] = {1};
const void *const mp_frozen_mpy_content[] = {&frozen_module_netsocket_socket, fun_data_asyncio_core__lt_module_gt_,
                                             const_qstr_table_data_netsocket_socket};
""")
    subprocess.run(["gcc", "-c", "-O1", str(src), "-o", str(tmp_path / "build" / "frozen_content.o")], check=True)
    size = measure_frozen(load_board("VIRTUAL"), tmp_path)
    assert size is not None and size.source.name == "frozen_content.o"
    assert (size.modules, size.bytecode, size.total) == (1, 300, 300 + 20 + 16)
