metadata(version="0.1.0", description="netsocket cellular: u-blox SARA-R4/R5 socket stack.")

require("netsocket-cellular", library="netsocket")
package("netsocket/cellular", files=["sara.py"], base_path="..")
