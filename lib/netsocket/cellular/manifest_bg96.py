metadata(version="0.1.0", description="netsocket cellular: Quectel BG96/BG95 socket stack.")

include("manifest.py")
package("netsocket/cellular", files=["bg96.py"], base_path="../..")
