// Request bodies recorded from kubectl 1.33.x (`/usr/lib/google-cloud-sdk/bin/kubectl.1.33 <command>`
// against a recorder on 127.0.0.1 that answered discovery and then 500). `want` is kubectl's own
// `--dry-run=client -o json` for the same command, with `status` reduced to `{}` (status tables are opaque)
// and ClusterRole's `rules: null` dropped; commands without a dry-run (auth, token, drain) were checked by
// hand against the bytes. Our own test data.

export interface KubectlCapture {
  readonly name: string;
  readonly command: string;
  readonly hex: string;
  readonly want: Record<string, unknown>;
}

export const kubectlCaptures: readonly KubectlCapture[] = [
  {
    name: 'configmap',
    command: 'create configmap x --from-literal=a=b',
    hex:
      '6b3873000a0f0a0276311209436f6e6669674d6170121b0a110a017812001a0022002a0032003800420012060a016112' +
      '01621a002200',
    want: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', creationTimestamp: null }, data: { a: 'b' } },
  },
  {
    name: 'namespace',
    command: 'create namespace foo',
    hex:
      '6b3873000a0f0a02763112094e616d657370616365121b0a130a03666f6f12001a0022002a0032003800420012001a02' +
      '0a001a002200',
    want: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo', creationTimestamp: null }, spec: {}, status: {} },
  },
  {
    name: 'deployment',
    command: 'create deployment web --image=nginx --replicas=2 --port=80',
    hex:
      '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b8010a1f0a0377656212001a0022002a00320038' +
      '0042005a0a0a0361707012037765621286010802120c0a0a0a0361707012037765621a6c0a1c0a0012001a0022002a00' +
      '3200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e67696e782a00320a0a00100018502200' +
      '2a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c20100' +
      '22020a00280038001a0c0800100018002000280038001a002200',
    want: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] } }, strategy: {} }, status: {} },
  },
  {
    name: 'deployment with zero replicas',
    command: 'create deployment zero --image=nginx --replicas=0',
    hex:
      '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412af010a210a047a65726f12001a0022002a003200' +
      '380042005a0b0a0361707012047a65726f127c0800120d0a0b0a0361707012047a65726f1a610a1d0a0012001a002200' +
      '2a003200380042005a0b0a0361707012047a65726f124012220a056e67696e7812056e67696e782a0042006a00720080' +
      '0100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a' +
      '0c0800100018002000280038001a002200',
    want: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'zero', creationTimestamp: null, labels: { app: 'zero' } }, spec: { replicas: 0, selector: { matchLabels: { app: 'zero' } }, template: { metadata: { creationTimestamp: null, labels: { app: 'zero' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } }, strategy: {} }, status: {} },
  },
  {
    name: 'secret with an empty value',
    command: 'create secret generic s --from-literal=k=v --from-literal=empty=',
    hex:
      '6b3873000a0c0a027631120653656372657412280a110a017312001a0022002a0032003800420012090a05656d707479' +
      '120012060a016b1201761a001a002200',
    want: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', creationTimestamp: null }, data: { empty: '', k: 'dg==' } },
  },
  {
    name: 'serviceaccount',
    command: 'create serviceaccount sa',
    hex:
      '6b3873000a140a027631120e536572766963654163636f756e7412140a120a02736112001a0022002a00320038004200' +
      '1a002200',
    want: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', creationTimestamp: null } },
  },
  {
    name: 'service clusterip',
    command: 'create service clusterip svc --tcp=80:8080',
    hex:
      '6b3873000a0d0a02763112075365727669636512690a1f0a0373766312001a0022002a003200380042005a0a0a036170' +
      '70120373766312420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037376' +
      '631a002209436c757374657249503a00420052005a00600068001a020a001a002200',
    want: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', creationTimestamp: null, labels: { app: 'svc' } }, spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'svc' }, type: 'ClusterIP' }, status: {} },
  },
  {
    name: 'headless service',
    command: 'create service clusterip headless --clusterip=None',
    hex:
      '6b3873000a0d0a027631120753657276696365125f0a290a08686561646c65737312001a0022002a003200380042005a' +
      '0f0a036170701208686561646c657373122e120f0a036170701208686561646c6573731a044e6f6e652209436c757374' +
      '657249503a00420052005a00600068001a020a001a002200',
    want: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless', creationTimestamp: null, labels: { app: 'headless' } }, spec: { selector: { app: 'headless' }, clusterIP: 'None', type: 'ClusterIP' }, status: {} },
  },
  {
    name: 'service nodeport',
    command: 'create service nodeport np --tcp=80:8080 --node-port=30080',
    hex:
      '6b3873000a0d0a02763112075365727669636512670a1d0a026e7012001a0022002a003200380042005a090a03617070' +
      '12026e7012420a1d0a0738302d38303830120354435018502207080010903f1a002880eb0112090a0361707012026e70' +
      '1a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200',
    want: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'np', creationTimestamp: null, labels: { app: 'np' } }, spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'np' }, type: 'NodePort' }, status: {} },
  },
  {
    name: 'job',
    command: 'create job j --image=busybox -- echo hi',
    hex:
      '6b3873000a0f0a0862617463682f763112034a6f621282010a110a016a12001a0022002a00320038004200126332610a' +
      '100a0012001a0022002a00320038004200124d122a0a016a120762757379626f781a046563686f1a0268692a0042006a' +
      '007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c20100' +
      '1a082000280030003a001a002200',
    want: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', creationTimestamp: null }, spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'j', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never' } } }, status: {} },
  },
  {
    name: 'cronjob',
    command: 'create cronjob cj --image=busybox --schedule="*/1 * * * *" -- date',
    hex:
      '6b3873000a130a0862617463682f7631120743726f6e4a6f6212a4010a120a02636a12001a0022002a00320038004200' +
      '128b010a0b2a2f31202a202a202a202a1a002a7a0a120a02636a12001a0022002a00320038004200126432620a100a00' +
      '12001a0022002a00320038004200124e12270a02636a120762757379626f781a04646174652a0042006a007200800100' +
      '880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a00' +
      '1a002200',
    want: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', creationTimestamp: null }, spec: { schedule: '*/1 * * * *', jobTemplate: { metadata: { name: 'cj', creationTimestamp: null }, spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'cj', image: 'busybox', command: ['date'], resources: {} }], restartPolicy: 'OnFailure' } } } } }, status: {} },
  },
  {
    name: 'role',
    command: 'create role r --verb=get,list --resource=pods,deployments.apps --resource-name=a',
    hex:
      '6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c65124e0a110a01' +
      '7212001a0022002a0032003800420012160a036765740a046c69737412001a04706f647322016112210a036765740a04' +
      '6c6973741204617070731a0b6465706c6f796d656e74732201611a002200',
    want: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', creationTimestamp: null }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['a'] }] },
  },
  {
    name: 'rolebinding',
    command: 'create rolebinding rb --role=r --user=alice --serviceaccount=default:sa',
    hex:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e' +
      '671287010a120a02726212001a0022002a00320038004200122a0a04557365721219726261632e617574686f72697a61' +
      '74696f6e2e6b38732e696f1a05616c6963652200121f0a0e536572766963654163636f756e7412001a02736122076465' +
      '6661756c741a240a19726261632e617574686f72697a6174696f6e2e6b38732e696f1204526f6c651a01721a002200',
    want: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', creationTimestamp: null }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'default' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } },
  },
  {
    name: 'clusterrole with non-resource URLs',
    command: 'create clusterrole cr --verb=get --non-resource-url=/logs/*',
    hex:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c' +
      '6512240a120a02637212001a0022002a00320038004200120e0a036765742a072f6c6f67732f2a1a002200',
    want: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cr', creationTimestamp: null }, rules: [{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }] },
  },
  {
    name: 'aggregated clusterrole',
    command: 'create clusterrole agg --aggregation-rule=rbac.example.com/aggregate=true',
    hex:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c' +
      '65123d0a130a0361676712001a0022002a003200380042001a260a240a220a1a726261632e6578616d706c652e636f6d' +
      '2f6167677265676174651204747275651a002200',
    want: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'agg', creationTimestamp: null }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] } },
  },
  {
    name: 'clusterrolebinding',
    command: 'create clusterrolebinding crb --clusterrole=cr --group=devs',
    hex:
      '6b3873000a320a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311212436c7573746572526f6c' +
      '6542696e64696e67126f0a130a0363726212001a0022002a00320038004200122a0a0547726f75701219726261632e61' +
      '7574686f72697a6174696f6e2e6b38732e696f1a046465767322001a2c0a19726261632e617574686f72697a6174696f' +
      '6e2e6b38732e696f120b436c7573746572526f6c651a0263721a002200',
    want: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crb', creationTimestamp: null }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr' } },
  },
  {
    name: 'priorityclass',
    command: 'create priorityclass pc --value=1000 --description=x --preemption-policy=Never',
    hex:
      '6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312230a120a' +
      '02706312001a0022002a0032003800420010e80718002201782a054e657665721a002200',
    want: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'pc', creationTimestamp: null }, value: 1000, description: 'x', preemptionPolicy: 'Never' },
  },
  {
    name: 'pdb with an integer minAvailable',
    command: 'create poddisruptionbudget pdb --selector=app=web --min-available=1',
    hex:
      '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412390a130a0370646212' +
      '001a0022002a0032003800420012160a06080010011a00120c0a0a0a0361707012037765621a0a080018002000280030' +
      '001a002200',
    want: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb', creationTimestamp: null }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } }, status: {} },
  },
  {
    name: 'pdb with a percent maxUnavailable',
    command: 'create poddisruptionbudget pdb2 --selector=app=web --max-unavailable=50%',
    hex:
      '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123d0a140a0470646232' +
      '12001a0022002a003200380042001219120c0a0a0a0361707012037765621a09080110001a033530251a0a0800180020' +
      '00280030001a002200',
    want: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb2', creationTimestamp: null }, spec: { selector: { matchLabels: { app: 'web' } }, maxUnavailable: '50%' }, status: {} },
  },
  {
    name: 'ingress',
    command: 'create ingress ing --rule="foo.com/bar=svc1:8080,tls=my-cert" --class=nginx',
    hex:
      '6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e677265737312650a130a03696e671200' +
      '1a0022002a00320038004200124a12120a07666f6f2e636f6d12076d792d636572741a2d0a07666f6f2e636f6d12220a' +
      '200a1e0a042f626172120f220d0a047376633112050a0010903f1a05457861637422056e67696e781a020a001a002200',
    want: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'ing', creationTimestamp: null }, spec: { ingressClassName: 'nginx', tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }], rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } }] }, status: {} },
  },
  {
    name: 'resourcequota',
    command: 'create quota q --hard=cpu=1,pods=2',
    hex:
      '6b3873000a130a027631120d5265736f7572636551756f746112300a110a017112001a0022002a003200380042001219' +
      '0a0a0a0363707512030a01310a0b0a04706f647312030a01321a001a002200',
    want: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', creationTimestamp: null }, spec: { hard: { cpu: '1', pods: '2' } }, status: {} },
  },
  {
    name: 'can-i on a resource',
    command: 'auth can-i get pods',
    hex:
      '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365' +
      '7373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a0764656661756c7412036765741a00' +
      '22002a04706f647332003a001a08080012001a0020001a002200',
    want: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null }, spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } }, status: {} },
  },
  {
    name: 'can-i on a non-resource URL',
    command: 'auth can-i get /logs',
    hex:
      '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365' +
      '7373526576696577122c0a100a0012001a0022002a00320038004200120e120c0a052f6c6f677312036765741a080800' +
      '12001a0020001a002200',
    want: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null }, spec: { nonResourceAttributes: { path: '/logs', verb: 'get' } }, status: {} },
  },
  {
    name: 'can-i --list',
    command: 'auth can-i --list',
    hex:
      '6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c65' +
      '7352657669657712230a100a0012001a0022002a0032003800420012090a0764656661756c741a04180022001a002200',
    want: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: { creationTimestamp: null }, spec: { namespace: 'default' }, status: {} },
  },
  {
    name: 'token',
    command: 'create token sa --duration=10m --audience=a',
    hex:
      '6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e526571756573741220' +
      '0a100a0012001a0022002a0032003800420012060a016120d8041a040a0012001a002200',
    want: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { creationTimestamp: null }, spec: { audiences: ['a'], expirationSeconds: 600 }, status: {} },
  },
  {
    name: 'whoami',
    command: 'auth whoami',
    hex:
      '6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576' +
      '696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200',
    want: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: null }, status: {} },
  },
  {
    name: 'drain pod deletion',
    command: 'drain n1 --grace-period=0 --disable-eviction',
    hex:
      '6b3873000a130a027631120d44656c6574654f7074696f6e73120208001a002200',
    want: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 },
  },
];
