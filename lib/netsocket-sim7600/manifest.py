metadata(version="0.1.0", description="netsocket cellular: SIMCom SIM7600/SIM7500/SIM7800 socket stack.")

require("netsocket-cellular", library="netsocket")
package("netsocket/cellular", files=["sim7600.py"], base_path="..")
