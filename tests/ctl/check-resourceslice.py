#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Holds `netpoolctl inventory --format=dra` output and the example of docs/scheduling.md against the
fields and limits of the Kubernetes API reference for ResourceSlice (resource.k8s.io v1, v1beta2, v1beta1):

  apiVersion, kind; metadata.name a DNS subdomain (<= 253); spec.driver a DNS subdomain (<= 63);
  spec.nodeName a DNS subdomain (<= 253), the one node selection given; spec.pool: name of DNS
  subdomains separated by '/' (<= 253), generation >= 0, resourceSliceCount >= 1 and equal to the
  number of slices of that pool; spec.devices <= 128; a device: name a DNS label (<= 63), unique in the
  pool, attributes (under "basic" in v1beta1 only) <= 32, each name a qualified name (DNS subdomain
  <= 63 / C identifier <= 32), each value exactly one of bool, int, string (<= 64), version (semver
  <= 64); the same attribute name with the same type on every device. No field the API does not have.

Usage: check-resourceslice.py EMITTER DOC  (EMITTER: test-netpoolctl-dra, which prints the slices of a
constructed host: --emit VFS yaml|json API-VERSION). TAP on stdout. Without python3-yaml the YAML is
not parsed (a skip): JSON alone is checked.
       check-resourceslice.py --check FILE: the slices in FILE (JSON, or YAML documents), the problems on
stdout, exit status 1 when there are any (the integration test's use, on netpoolctl's output).
"""
import json
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    yaml = None

LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
C_IDENTIFIER = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
# semver.org 2.0.0
SEMVER = re.compile(r'^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)'
                    r'(-((0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?'
                    r'(\+([0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*))?$')

API_VERSIONS = ('resource.k8s.io/v1', 'resource.k8s.io/v1beta2', 'resource.k8s.io/v1beta1')
MAX_DEVICES = 128
MAX_ATTRIBUTES = 32
VALUE_TYPES = {'bool': bool, 'int': int, 'string': str, 'version': str}
SPEC_FIELDS = {'driver', 'pool', 'nodeName', 'nodeSelector', 'allNodes', 'perDeviceNodeSelection', 'devices',
               'sharedCounters'}
DEVICE_FIELDS = {'name', 'attributes', 'capacity', 'consumesCounters', 'nodeName', 'nodeSelector', 'allNodes',
                 'taints', 'bindsToNode', 'bindingConditions', 'bindingFailureConditions',
                 'allowMultipleAllocations'}


def is_label(s, maximum=63):
    return isinstance(s, str) and len(s) <= maximum and LABEL.match(s) is not None


def is_subdomain(s, maximum):
    return (isinstance(s, str) and 0 < len(s) <= maximum and
            all(len(label) <= 63 and LABEL.match(label) for label in s.split('.')))


def is_qualified_name(s):
    domain, slash, identifier = s.rpartition('/')
    if slash and not is_subdomain(domain, 63):
        return False
    return len(identifier) <= 32 and C_IDENTIFIER.match(identifier) is not None


def check_attributes(where, attributes, types, problems):
    if not isinstance(attributes, dict):
        problems.append(f'{where}: attributes is not a map')
        return
    if len(attributes) > MAX_ATTRIBUTES:
        problems.append(f'{where}: {len(attributes)} attributes, more than {MAX_ATTRIBUTES}')
    for name, value in attributes.items():
        if not is_qualified_name(name):
            problems.append(f'{where}: attribute name {name!r} is not a qualified name')
        if not isinstance(value, dict) or len(value) != 1:
            problems.append(f'{where}: attribute {name} does not have exactly one value: {value!r}')
            continue
        (kind, v), = value.items()
        expected = VALUE_TYPES.get(kind)
        # bool is an int to Python: tell them apart
        if expected is None or not isinstance(v, expected) or (kind == 'int' and isinstance(v, bool)):
            problems.append(f'{where}: attribute {name}: {kind}: {v!r} is no {kind}')
            continue
        if kind in ('string', 'version') and len(v) > 64:
            problems.append(f'{where}: attribute {name}: longer than 64 characters')
        if kind == 'version' and not SEMVER.match(v):
            problems.append(f'{where}: attribute {name}: {v!r} is no semantic version')
        if types.setdefault(name, kind) != kind:
            problems.append(f'{where}: attribute {name} is {kind} here, {types[name]} elsewhere')


def check_device(where, device, api_version, types, problems):
    if not isinstance(device, dict):
        problems.append(f'{where}: not a map')
        return
    name = device.get('name')
    if not is_label(name):
        problems.append(f'{where}: name {name!r} is not a DNS label of at most 63 characters')
    where = f'{where} ({name})'
    if api_version.endswith('/v1beta1'):
        if set(device) != {'name', 'basic'}:
            problems.append(f'{where}: v1beta1 wants name and basic, has {sorted(device)}')
        body = device.get('basic') or {}
    else:
        if 'basic' in device:
            problems.append(f'{where}: basic is a v1beta1 field, not one of {api_version}')
        body = device
    unknown = set(body) - DEVICE_FIELDS - {'name'}
    if unknown:
        problems.append(f'{where}: unknown fields {sorted(unknown)}')
    check_attributes(where, body.get('attributes', {}), types, problems)


def check_slice(where, s, problems, pools):
    if not isinstance(s, dict):
        problems.append(f'{where}: not a map')
        return
    api_version = s.get('apiVersion')
    if api_version not in API_VERSIONS:
        problems.append(f'{where}: apiVersion {api_version!r} is none of {API_VERSIONS}')
        api_version = API_VERSIONS[0]
    if s.get('kind') != 'ResourceSlice':
        problems.append(f'{where}: kind {s.get("kind")!r} is not ResourceSlice')
    name = (s.get('metadata') or {}).get('name')
    if not is_subdomain(name, 253):
        problems.append(f'{where}: metadata.name {name!r} is not a DNS subdomain of at most 253 characters')
    spec = s.get('spec')
    if not isinstance(spec, dict):
        problems.append(f'{where}: no spec')
        return
    unknown = set(spec) - SPEC_FIELDS
    if unknown:
        problems.append(f'{where}: unknown spec fields {sorted(unknown)}')
    driver = spec.get('driver')
    if not is_subdomain(driver, 63):
        problems.append(f'{where}: spec.driver {driver!r} is not a DNS subdomain of at most 63 characters')
    selections = [k for k in ('nodeName', 'nodeSelector', 'allNodes', 'perDeviceNodeSelection') if k in spec]
    if selections != ['nodeName']:
        problems.append(f'{where}: exactly one of nodeName, nodeSelector, allNodes, perDeviceNodeSelection '
                        f'must be set, and a node-local slice sets nodeName: {selections}')
    elif not is_subdomain(spec['nodeName'], 253):
        problems.append(f'{where}: spec.nodeName {spec["nodeName"]!r} is not a DNS subdomain')
    pool = spec.get('pool') or {}
    pool_name = pool.get('name')
    if (not isinstance(pool_name, str) or len(pool_name) > 253 or
            not all(is_subdomain(part, 253) for part in pool_name.split('/'))):
        problems.append(f'{where}: spec.pool.name {pool_name!r}: DNS subdomains separated by /, <= 253')
    generation, count = pool.get('generation'), pool.get('resourceSliceCount')
    if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
        problems.append(f'{where}: spec.pool.generation {generation!r} is no number >= 0')
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        problems.append(f'{where}: spec.pool.resourceSliceCount {count!r} is no number >= 1')
    devices = spec.get('devices', [])
    if not isinstance(devices, list):
        problems.append(f'{where}: spec.devices is not a list')
        return
    if len(devices) > MAX_DEVICES:
        problems.append(f'{where}: {len(devices)} devices, more than {MAX_DEVICES} in one slice')
    state = pools.setdefault((driver, pool_name), {'slices': 0, 'counts': set(), 'generations': set(),
                                                    'names': set(), 'types': {}})
    state['slices'] += 1
    state['counts'].add(count)
    state['generations'].add(generation)
    for i, device in enumerate(devices):
        check_device(f'{where} device {i}', device, api_version, state['types'], problems)
        device_name = device.get('name') if isinstance(device, dict) else None
        if device_name in state['names']:
            problems.append(f'{where}: device name {device_name!r} twice in pool {pool_name!r}')
        state['names'].add(device_name)


def check_slices(slices):
    """The problems of a list of ResourceSlices that make whole pools; [] when there are none."""
    problems, pools = [], {}
    for i, s in enumerate(slices):
        check_slice(f'slice {i}', s, problems, pools)
    for (driver, pool), state in pools.items():
        if state['counts'] != {state['slices']}:
            problems.append(f'pool {pool!r}: {state["slices"]} slices, resourceSliceCount {state["counts"]}')
        if len(state['generations']) != 1:
            problems.append(f'pool {pool!r}: generations {state["generations"]} differ')
    return problems


def slices_of_json(text):
    doc = json.loads(text)
    if doc.get('kind') == 'List':
        if doc.get('apiVersion') != 'v1':
            raise ValueError(f'a List of apiVersion {doc.get("apiVersion")!r}, not v1')
        return doc['items']
    return [doc]


def slices_of_yaml(text):
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        # as a slice that fails every check: the output is no YAML
        return [f'not YAML: {e}'.replace('\n', ' ')]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = False

    def result(self, name, problems):
        self.n += 1
        if problems:
            self.failed = True
            print(f'not ok {self.n} - {name}')
            for p in problems[:20]:
                print(f'# {p}')
        else:
            print(f'ok {self.n} - {name}')

    def skip(self, name, why):
        self.n += 1
        print(f'ok {self.n} - {name} # SKIP {why}')


def emit(emitter, vfs, fmt, api):
    return subprocess.run([emitter, '--emit', str(vfs), fmt, api], check=True, capture_output=True,
                          text=True).stdout


def check_emitter(tap, emitter):
    for api in ('v1', 'v1beta1'):
        for vfs in (0, 1, 127, 128, 129, 300):
            json_slices = slices_of_json(emit(emitter, vfs, 'json', api))
            expected = max(1, -(-vfs // MAX_DEVICES))
            problems = check_slices(json_slices)
            if len(json_slices) != expected:
                problems.append(f'{len(json_slices)} slices for {vfs} VFs, not {expected}')
            published = sum(len(s['spec'].get('devices', [])) for s in json_slices)
            if published != vfs:
                problems.append(f'{published} devices for {vfs} VFs')
            tap.result(f'{api}, {vfs} VFs, JSON', problems)
            if yaml is None:
                tap.skip(f'{api}, {vfs} VFs, YAML', 'no python3-yaml')
                continue
            yaml_slices = slices_of_yaml(emit(emitter, vfs, 'yaml', api))
            problems = check_slices(yaml_slices)
            # what YAML reads back is exactly what the JSON says: quoting, types, nesting
            if yaml_slices != json_slices:
                problems.append('the YAML reads back different from the JSON')
            tap.result(f'{api}, {vfs} VFs, YAML', problems)


def check_checker(tap):
    """The checker finds what it is for: each broken copy of a good slice has a problem."""
    good = {'apiVersion': 'resource.k8s.io/v1', 'kind': 'ResourceSlice', 'metadata': {'name': 'n-netpool.io-0'},
            'spec': {'driver': 'netpool.io', 'nodeName': 'n',
                     'pool': {'name': 'n', 'generation': 1, 'resourceSliceCount': 1},
                     'devices': [{'name': '0000-03-02-0',
                                  'attributes': {'resource.kubernetes.io/pciBusID': {'string': '0000:03:02.0'}}}]}}
    breakages = {
        'apiVersion': lambda s: s.update(apiVersion='resource.k8s.io/v1alpha9'),
        'kind': lambda s: s.update(kind='ResourceClaim'),
        'driver': lambda s: s['spec'].update(driver='Netpool.io'),
        'driver length': lambda s: s['spec'].update(driver='a' * 61 + '.io'),
        'node': lambda s: s['spec'].pop('nodeName'),
        'pool': lambda s: s['spec']['pool'].update(name='a//b'),
        'count': lambda s: s['spec']['pool'].update(resourceSliceCount=2),
        'device name': lambda s: s['spec']['devices'][0].update(name='0000:03:02.0'),
        'device name length': lambda s: s['spec']['devices'][0].update(name='a' * 64),
        'attribute name': lambda s: s['spec']['devices'][0]['attributes'].update({'x.io/' + 'a' * 33: {'int': 1}}),
        'two values': lambda s: s['spec']['devices'][0]['attributes'].update({'x': {'int': 1, 'string': 'a'}}),
        'untyped': lambda s: s['spec']['devices'][0]['attributes'].update({'x': {'int': '1'}}),
        'long string': lambda s: s['spec']['devices'][0]['attributes'].update({'x': {'string': 'a' * 65}}),
        'basic in v1': lambda s: s['spec']['devices'][0].update(basic={}),
        'too many devices': lambda s: s['spec'].update(
            devices=[{'name': f'd{i}', 'attributes': {}} for i in range(129)]),
    }
    missed = [] if not check_slices([good]) else [f'the good slice: {check_slices([good])}']
    for name, breakage in breakages.items():
        broken = json.loads(json.dumps(good))
        breakage(broken)
        if not check_slices([broken]):
            missed.append(f'not found: {name}')
    tap.result('the checker finds each broken field', missed)


def check_document(tap, doc):
    with open(doc, encoding='utf-8') as f:
        text = f.read()
    blocks = re.findall(r'```yaml\n(.*?)```', text, re.S)
    examples = [b for b in blocks if 'kind: ResourceSlice' in b]
    if not examples:
        tap.result(f'{doc}: a ResourceSlice example', [f'{doc} has no ```yaml block with kind: ResourceSlice'])
        return
    if yaml is None:
        tap.skip(f'{doc}: its ResourceSlice example', 'no python3-yaml')
        return
    for i, block in enumerate(examples):
        slices = slices_of_yaml(block)
        problems = check_slices(slices) if slices else ['no document']
        tap.result(f'{doc}: ResourceSlice example {i + 1}', problems)


def check_file(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if text.lstrip().startswith('{'):
        slices = slices_of_json(text)
    elif yaml is None:
        print('no python3-yaml to read YAML')
        return 1
    else:
        slices = slices_of_yaml(text)
    problems = check_slices(slices)
    for p in problems:
        print(p)
    return 1 if problems else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        return check_file(sys.argv[2])
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    tap = Tap()
    check_checker(tap)
    check_emitter(tap, sys.argv[1])
    check_document(tap, sys.argv[2])
    print(f'1..{tap.n}')
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
