metadata(version="0.1.0", description="netsocket cellular: Quectel BG96/BG95 socket stack.")

require("netsocket-cellular", library="netsocket")
package("netsocket/cellular", files=["bg96.py"], base_path="..")
