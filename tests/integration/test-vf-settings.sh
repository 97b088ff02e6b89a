#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# VF settings from the XML (issue 19 point 3): <netpool:vf>, <mtu> and <bandwidth> given in the network, a
# portgroup and the port show in both network views and in the port's XML, reach the sim's VF, and are undone
# at Release; what cannot be applied is refused naming the element.
source "$(dirname "$0")/lib.sh"
np_setup

NS="xmlns:netpool='urn:netpool:xml:1'"
PF=0000:03:00.0
VF=$NP_SIM/vfstate/$PF/vf0/p1
vf_now() {      # trust spoofchk link_state vlan qos proto min max mtu of eth0's VF 0
        echo $(cat "$VF/trust" "$VF/spoofchk" "$VF/link_state" "$VF/vlan" "$VF/qos" "$VF/vlan_proto" \
                "$VF/min_tx_rate" "$VF/max_tx_rate") "$(cat "$NP_SIM/sys/class/net/eth0v0/mtu")"
}
BEFORE=$(vf_now)

NET="<network>
  <name>pt</name>
  <uuid>0f0e0d0c-0000-4000-8000-00000000001a</uuid>
  <forward mode='passthrough'>
    <pf dev='eth0'/>
  </forward>
  <mtu size='1400'/>
  <bandwidth>
    <outbound average='12500'/>
  </bandwidth>
  <portgroup name='g'>
    <vlan>
      <tag id='42'/>
    </vlan>
    <netpool:vf $NS spoofchk='no' vlan-qos='3'/>
  </portgroup>
  <netpool:vf $NS trust='yes' link-state='disable' min-tx-rate='10'/>
</network>"
check "a network with <mtu>, <bandwidth> and <netpool:vf> at two levels is defined" \
        np_call /org/netpool1 Manager DefineNetwork st "$NET" 0
check "and started" np_start pt
inactive=$(np_xml pt 1)
expect_eq "the inactive view shows them as given" "$NET" "$inactive"
check "the live view shows them" grep -q "<netpool:vf $NS spoofchk='no' vlan-qos='3'/>" <(np_xml pt 0)

check "Allocate in portgroup g, with the port's own vlan-protocol" np_allocate pt \
        "$(np_port_xml mac=52:54:00:1a:00:01 extra="  <group>g</group>
  <netpool:vf $NS vlan-protocol='802.1ad'/>
")"
expect_eq "the port's XML shows what it took from each level" \
        "  <mtu size='1400'/>
  <netpool:vf $NS trust='yes' spoofchk='no' link-state='disable' min-tx-rate='10' vlan-qos='3' vlan-protocol='802.1ad'/>" \
        "$(grep -E '<mtu|<netpool:vf' <<<"$NP_PORT_XML")"
expect_eq "the VF has them: trust, spoofchk, link state, VLAN, QoS, protocol, min, max (12500 KB/s), MTU" \
        "1 0 disable 42 3 802.1ad 10 100 1400" "$(vf_now)"
UUID=$(sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' <<<"$NP_PORT_XML" | head -1)
check "Release" np_release pt "$UUID"
expect_eq "the VF is as it was" "$BEFORE" "$(vf_now)"

expect_error "vlan-qos without a VLAN anywhere" org.netpool1.Error.InvalidArgument \
        np_allocate_call pt "$(np_port_xml mac=52:54:00:1a:00:02 extra="  <netpool:vf $NS vlan-qos='1'/>
")"
expect_error "a max-tx-rate above the PF's link speed" org.netpool1.Error.InvalidArgument \
        np_allocate_call pt "$(np_port_xml mac=52:54:00:1a:00:02 extra="  <netpool:vf $NS max-tx-rate='10001'/>
")"
cp "$NP_DIR/last.out" "$NP_DIR/rate.out"
check "the message names the element and the PF" grep -q "<netpool:vf> max-tx-rate: .* link speed of PF 'eth0'" \
        "$NP_DIR/rate.out"
expect_error "an MTU above the PF's" org.netpool1.Error.InvalidArgument \
        np_allocate_call pt "$(np_port_xml mac=52:54:00:1a:00:02 extra="  <mtu size='9000'/>
")"
expect_error "min-tx-rate above max-tx-rate in one element" org.netpool1.Error.InvalidXML \
        np_allocate_call pt "$(np_port_xml mac=52:54:00:1a:00:02 extra="  <netpool:vf $NS min-tx-rate='5' max-tx-rate='4'/>
")"
expect_eq "nothing was recorded, the VF is as it was" "$BEFORE|" "$(vf_now)|$(np_vf_records)"
expect_error "<netpool:vf> in a vepa network" org.netpool1.Error.InvalidXML \
        np_send /org/netpool1 Manager.DefineNetwork string:"<network><name>mv</name><forward mode='vepa'><pf dev='eth0'/></forward><netpool:vf $NS trust='yes'/></network>" uint64:0
np_done
