// Static checks of deploy/k8s: every manifest is validated against the
// Kubernetes schemas (kubernetes-models), its fields against the declared
// ones, and each rule the deployment relies on is asserted on its own. The
// manifests are not applied to a cluster here.
import { readdirSync, readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IContainer, IPodSpec, IProbe } from 'kubernetes-models/v1';
import { modelFile, undeclaredFields } from './declared-fields.js';

const DIR = new URL('../../deploy/k8s/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

// apiVersion/kind -> the model that validates it and its declaration file.
const MODELS: Record<string, { model: new (data: never) => { validate(): void }; file: string }> = {
  'v1/Namespace': { model: Namespace, file: 'v1/Namespace' },
  'v1/ConfigMap': { model: ConfigMap, file: 'v1/ConfigMap' },
  'v1/Secret': { model: Secret, file: 'v1/Secret' },
  'v1/Service': { model: Service, file: 'v1/Service' },
  'apps/v1/Deployment': { model: Deployment, file: 'apps/v1/Deployment' },
  'apps/v1/StatefulSet': { model: StatefulSet, file: 'apps/v1/StatefulSet' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, file: 'policy/v1/PodDisruptionBudget' },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, file: 'networking.k8s.io/v1/NetworkPolicy' },
};

const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml');
const manifests: Manifest[] = files.flatMap((file) =>
  parseAllDocuments(read(file)).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
    return { ...(document.toJS() as Omit<Manifest, "file">), file } as Manifest;
  }),
);
const label = (m: Manifest) => `${m.file}: ${m.kind}/${m.metadata?.name}`;
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`deploy/k8s has no ${kind} ${name}`);
  return found;
};

type Workload = Manifest & { spec: { replicas?: number; template: { metadata?: { annotations?: Record<string, string> }; spec: IPodSpec } } };
const workloads = [...ofKind('Deployment'), ...ofKind('StatefulSet')] as Workload[];
const containersOf = (w: Workload): IContainer[] => [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers];
const envOf = (c: IContainer) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
const config = (named('ConfigMap', 'gatehouse-config') as Manifest & { data: Record<string, string> }).data;

const APPS = {
  gateway: { metrics: 9100, port: 3000 },
  user: { metrics: 9101, port: 3001 },
  identity: { metrics: 9102, port: 3002 },
  mail: { metrics: 9103, port: 3003 },
} as const;
const app = (name: keyof typeof APPS) => named('Deployment', name) as Workload;
const main = (name: keyof typeof APPS) => app(name).spec.template.spec.containers[0];

/** The container port a probe targets, by name or number. */
function probePort(container: IContainer, probe: IProbe): number | undefined {
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

describe('deploy/k8s against the Kubernetes schemas', () => {
  it('has manifests', () => {
    expect(manifests.length).toBeGreaterThan(10);
  });

  it.each(manifests.map((m) => [label(m), m] as const))('%s is a known kind that validates', (_label, manifest) => {
    const entry = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
    expect(entry).toBeDefined();
    const object = Object.fromEntries(Object.entries(manifest).filter(([key]) => key !== 'file'));
    expect(() => new entry.model(object as never).validate()).not.toThrow();
    expect(undeclaredFields(object, modelFile(entry.file))).toEqual([]);
  });

  it('lists every manifest file in kustomization.yaml, and nothing else', () => {
    const kustomization = parse(read('kustomization.yaml')) as { resources: string[]; namespace: string; images: Array<{ name: string }> };
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
    expect(kustomization.namespace).toBe(named('Namespace', 'gatehouse').metadata.name);
    expect(kustomization.images.map((image) => image.name)).toContain('gatehouse');
  });
});

describe('deploy/k8s workloads', () => {
  it.each(workloads.map((w) => [label(w), w] as const))('%s runs as non-root, read-only, without privilege or capabilities', (_label, w) => {
    const pod = w.spec.template.spec;
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const c of containersOf(w)) {
      expect({ container: c.name, ...c.securityContext }).toMatchObject({
        container: c.name,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.securityContext?.privileged ?? false).toBe(false);
      expect(c.securityContext?.capabilities?.add ?? []).toEqual([]);
    }
  });

  it.each(workloads.map((w) => [label(w), w] as const))('%s has CPU and memory requests and limits', (_label, w) => {
    for (const c of containersOf(w)) {
      for (const bound of ['requests', 'limits'] as const) {
        expect({ container: c.name, bound, cpu: Boolean(c.resources?.[bound]?.cpu), memory: Boolean(c.resources?.[bound]?.memory) }).toEqual({
          container: c.name,
          bound,
          cpu: true,
          memory: true,
        });
      }
    }
  });

  it.each(workloads.map((w) => [label(w), w] as const))('%s has readiness and liveness probes on ports it declares', (_label, w) => {
    for (const c of w.spec.template.spec.containers) {
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        if (probe === c.startupProbe && !probe) continue;
        expect(probe).toBeDefined();
        expect(probePort(c, probe!)).toBeDefined();
      }
    }
  });

  it.each(Object.keys(APPS) as Array<keyof typeof APPS>)('runs %s from the one image with its own entry point, two replicas, over NATS', (name) => {
    expect(app(name).spec.replicas).toBe(2);
    expect(main(name).image).toBe('gatehouse');
    expect(main(name).command).toEqual(['node', `dist/apps/${name}/src/main.js`]);
    expect(main(name).envFrom).toContainEqual({ configMapRef: { name: 'gatehouse-config' } });
  });

  it('switches the apps to NATS, at a Service in front of the NATS pods', () => {
    expect(config.TRANSPORT).toBe('nats');
    expect(config.NODE_ENV).toBe('production');
    const host = new URL(config.NATS_URL).hostname;
    const service = named('Service', host) as Manifest & { spec: { selector: Record<string, string>; ports: Array<{ port: number }> } };
    expect(service.spec.ports.map((p) => p.port)).toContain(Number(new URL(config.NATS_URL).port));
    const nats = named('StatefulSet', 'nats') as Workload & { spec: { selector: { matchLabels: Record<string, string> } } };
    expect(nats.spec.selector.matchLabels).toEqual(service.spec.selector);
  });

  it.each(Object.entries(APPS).map(([name, { metrics }]) => [name, metrics] as const))(
    'declares and annotates the %s metrics port (%s) for scraping, on every interface',
    (name, metrics) => {
    const container = main(name as keyof typeof APPS);
    expect(container.ports).toContainEqual({ name: 'metrics', containerPort: metrics });
    const env = envOf(container);
    expect(env[`${name.toUpperCase()}_METRICS_PORT`]).toBe(String(metrics));
    expect(env[`${name.toUpperCase()}_HOST`]).toBe('0.0.0.0');
    expect(app(name as keyof typeof APPS).spec.template.metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(metrics),
      'prometheus.io/path': '/metrics',
    });
  });

  it("probes the gateway's readiness with /health on its HTTP port, and its liveness apart from its dependencies", () => {
    const gateway = main('gateway');
    expect(gateway.readinessProbe?.httpGet?.path).toBe('/health');
    expect(probePort(gateway, gateway.readinessProbe!)).toBe(APPS.gateway.port);
    expect(gateway.livenessProbe?.httpGet?.path).not.toBe('/health');
  });

  // Under TRANSPORT=nats the services listen on no TCP port: only their metrics HTTP port can be probed.
  it.each(['user', 'identity', 'mail'] as const)('probes %s on its metrics HTTP port', (name) => {
    const container = main(name);
    for (const probe of [container.readinessProbe!, container.livenessProbe!]) {
      expect(probe.httpGet?.path).toBe('/metrics');
      expect(probePort(container, probe)).toBe(APPS[name].metrics);
    }
  });

  it('exposes only the gateway, and only its HTTP port', () => {
    const gateway = named('Service', 'gateway') as Manifest & { spec: { ports: Array<{ targetPort: string | number }>; selector: Record<string, string> } };
    expect(gateway.spec.ports.map((p) => probePort(main('gateway'), { tcpSocket: { port: p.targetPort } }))).toEqual([APPS.gateway.port]);
    const appServices = ofKind('Service').filter((s) => Object.keys(APPS).includes((s as unknown as { spec: { selector?: Record<string, string> } }).spec.selector?.['app.kubernetes.io/name'] ?? ''));
    expect(appServices.map((s) => s.metadata.name)).toEqual(['gateway']);
  });
});

describe('deploy/k8s secrets and configuration', () => {
  const secrets = ofKind('Secret') as Array<Manifest & { data?: unknown; stringData?: Record<string, string> }>;

  it.each(secrets.map((s) => [label(s), s] as const))('%s holds placeholders only', (_label, secret) => {
    expect(secret.data).toBeUndefined();
    const values = Object.entries(secret.stringData ?? {});
    expect(values.length).toBeGreaterThan(0);
    for (const [key, value] of values) expect({ key, placeholder: /REPLACE_WITH_/.test(value) }).toEqual({ key, placeholder: true });
    expect(JSON.stringify(secret)).not.toMatch(/-----BEGIN/);
  });

  it('refers only to Secrets, keys and ConfigMaps that exist', () => {
    const keysOf = (name: string) => Object.keys((secrets.find((s) => s.metadata.name === name)?.stringData ?? {}) as object);
    for (const w of workloads) {
      for (const c of containersOf(w)) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) expect({ workload: w.metadata.name, ref: `${ref.name}/${ref.key}`, exists: keysOf(ref.name!).includes(ref.key) }).toMatchObject({ exists: true });
        }
        for (const from of c.envFrom ?? []) if (from.configMapRef) named('ConfigMap', from.configMapRef.name!);
      }
      for (const volume of w.spec.template.spec.volumes ?? []) {
        if (volume.secret) expect(keysOf(volume.secret.secretName!).length).toBeGreaterThan(0);
      }
    }
  });

  it('puts database URLs, the SMTP URL and Redis credentials in Secrets, never in the ConfigMap', () => {
    for (const key of Object.keys(config)) expect(key).not.toMatch(/DATABASE_URL|SMTP_URL|REDIS_URL|PASSWORD|KEY/);
    expect(envOf(main('user')).USER_DATABASE_URL).toMatchObject({ secretKeyRef: { key: 'USER_DATABASE_URL' } });
    expect(envOf(main('identity')).IDENTITY_DATABASE_URL).toMatchObject({ secretKeyRef: { key: 'IDENTITY_DATABASE_URL' } });
    expect(envOf(main('mail')).SMTP_URL).toMatchObject({ secretKeyRef: { key: 'SMTP_URL' } });
    expect(envOf(main('gateway')).REDIS_URL).toMatchObject({ secretKeyRef: { key: 'REDIS_URL' } });
  });

  it('mounts the signing key into identity only, where JWT_PRIVATE_KEY_FILE points', () => {
    const mounting = workloads.filter((w) => (w.spec.template.spec.volumes ?? []).some((v) => v.secret?.secretName === 'gatehouse-signing-key'));
    expect(mounting.map((w) => w.metadata.name)).toEqual(['identity']);
    const identity = main('identity');
    const volume = app('identity').spec.template.spec.volumes!.find((v) => v.secret?.secretName === 'gatehouse-signing-key')!;
    const mount = identity.volumeMounts!.find((m) => m.name === volume.name)!;
    expect(mount.readOnly).toBe(true);
    expect(envOf(identity).JWT_PRIVATE_KEY_FILE).toBe(`${mount.mountPath}/private-key.pem`);
  });

  it('gives each database URL to its own service only', () => {
    for (const name of Object.keys(APPS) as Array<keyof typeof APPS>) {
      const env = envOf(main(name));
      expect({ name, user: 'USER_DATABASE_URL' in env }).toEqual({ name, user: name === 'user' });
      expect({ name, identity: 'IDENTITY_DATABASE_URL' in env }).toEqual({ name, identity: name === 'identity' });
      expect({ name, smtp: 'SMTP_URL' in env }).toEqual({ name, smtp: name === 'mail' });
    }
  });
});

describe('deploy/k8s network policies', () => {
  type Policy = Manifest & INetworkPolicy;
  const policies = ofKind('NetworkPolicy') as Policy[];
  const podLabels = (w: Workload) => (w.spec.template.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  const selects = (policy: Policy, labels: Record<string, string>) =>
    Object.entries(policy.spec?.podSelector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  /** The names of Gatehouse's workloads a policy's rules let in on `port`, judged by their pod labels. */
  const admitted = (target: string, port: string) => {
    const rules = policies.filter((p) => selects(p, podLabels(named(target === 'nats' ? 'StatefulSet' : 'Deployment', target) as Workload)));
    return workloads
      .filter((w) =>
        rules.some((p) =>
          (p.spec?.ingress ?? []).some(
            (rule) =>
              (rule.ports ?? []).some((p) => p.port === port) &&
              (rule.from === undefined ||
                rule.from.some((peer) => {
                  const labels = podLabels(w);
                  const matches = Object.entries(peer.podSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
                  const expressions = (peer.podSelector?.matchExpressions ?? []).every((e) => e.values?.includes(labels[e.key]));
                  return !peer.namespaceSelector && peer.podSelector !== undefined && matches && expressions;
                })),
          ),
        ),
      )
      .map((w) => w.metadata.name)
      .sort();
  };

  it('denies every ingress in the namespace that no policy allows', () => {
    const deny = named('NetworkPolicy', 'default-deny-ingress') as Policy;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  it("lets only Gatehouse's apps reach NATS, NATS nodes each other, and only the gateway and user service reach Redis", () => {
    expect(admitted('nats', 'client')).toEqual(['gateway', 'identity', 'mail', 'user']);
    expect(admitted('nats', 'cluster')).toEqual(['nats']);
    expect(admitted('redis', 'redis')).toEqual(['gateway', 'user']);
  });

  it("opens the gateway's HTTP port to everyone, and no port of user, identity or mail to any Gatehouse pod", () => {
    const gatewayHttp = named('NetworkPolicy', 'gateway-http') as Policy;
    expect(gatewayHttp.spec?.ingress).toEqual([{ ports: [{ port: 'http' }] }]);
    for (const name of ['user', 'identity', 'mail'] as const) {
      expect(admitted(name, 'metrics')).toEqual([]);
      expect(admitted(name, String(APPS[name].port))).toEqual([]);
    }
  });

  it('names only ports the selected pods declare', () => {
    for (const policy of policies) {
      const targets = workloads.filter((w) => selects(policy, podLabels(w)));
      expect(targets.length).toBeGreaterThan(0);
      for (const rule of policy.spec?.ingress ?? []) {
        for (const { port } of rule.ports ?? []) {
          const declaredSomewhere = targets.some((w) => containersOf(w).some((c) => (c.ports ?? []).some((p) => p.name === port)));
          expect([policy.metadata.name, port, declaredSomewhere]).toEqual([policy.metadata.name, port, true]);
        }
      }
    }
  });
});

