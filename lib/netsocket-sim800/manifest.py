metadata(version="0.1.0", description="netsocket cellular: SIMCom SIM800/SIM7000 (classic CIP* commands) socket stack.")

require("netsocket-cellular", library="netsocket")
package("netsocket/cellular", files=["sim800.py"], base_path="..")
